#!/bin/sh
# tests/gpu/prepare.sh — run on the development machine (no GPU needed) before a GPU check:
# builds build-gpu with the CUDA backend (sm_80/89/90 + PTX), writes the benchmark networks
# into gpu-run/ and unpacks there the Debian runtime libraries the engine links that a bare
# GPU machine may lack (GLib, protobuf-c, OpenBLAS, libgomp), compressed: the carry limit is 64 MiB.  Both folders are ignored by
# git; the device call carries them:
#   run(command="bash tests/gpu/run.sh $OUT", carry=["build-gpu", "gpu-run"], timeout_s=420)
set -eu
cd "$(dirname "$0")/../.."
if [ -d build-gpu ]; then
  meson setup --reconfigure build-gpu --buildtype=release -Dcuda=enabled -Dgst=disabled
else
  meson setup build-gpu --buildtype=release -Dcuda=enabled -Dgst=disabled
fi
ninja -C build-gpu
mkdir -p gpu-run
[ -f gpu-run/transformer-net.skel.onnx ] && [ -f gpu-run/adain-vgg19.skel.onnx ] || {
  /usr/bin/python3 tests/gpu/make_models.py gpu-run
  # seeded random weights need not travel (35 MB): run.sh fills them back in (weights.py)
  for n in transformer-net adain-vgg19; do
    /usr/bin/python3 tests/gpu/weights.py strip gpu-run/$n.onnx gpu-run/$n.skel.onnx
    rm gpu-run/$n.onnx
  done
}
# weights a dry run of run.sh filled back in here must not travel either
rm -f gpu-run/transformer-net.onnx gpu-run/adain-vgg19.onnx
rm -rf gpu-run/deps gpu-run/debs
mkdir -p gpu-run/debs
(cd gpu-run/debs && apt-get download libprotobuf-c1 libopenblas0-pthread libgfortran5 \
   libglib2.0-0 libffi8 libpcre2-8-0 libgomp1 libquadmath0 \
   libdnnl2 ocl-icd-libopencl1 && \
 for d in *.deb; do dpkg -x "$d" ../deps; done)
rm -rf gpu-run/debs gpu-run/deps/usr/share gpu-run/deps/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack* \
  gpu-run/deps/usr/lib/x86_64-linux-gnu/libgio* gpu-run/deps/usr/lib/x86_64-linux-gnu/libgmodule* \
  gpu-run/deps/usr/lib/x86_64-linux-gnu/libgobject* gpu-run/deps/usr/lib/x86_64-linux-gnu/libgthread*
# compressed (OpenBLAS alone is 36 MB): run.sh unpacks it under /tmp
tar -C gpu-run -cJf gpu-run/deps.tar.xz deps
rm -rf gpu-run/deps
# object files, static archives and the emulator's programs are not needed on the device:
# keep the carry (64 MiB at most) small
find build-gpu -name '*.o' -delete
find build-gpu -name '*.a' -delete
find build-gpu/tests -maxdepth 1 \( -name '*-emu*' -o -name 'libartem.so*' \) ! -type d -delete
# only the programs run.sh calls travel (the carry also counts the 15 MB working tree)
find build-gpu/tests -maxdepth 1 -type f ! -name test-backend-ops ! -name test-cuda-models \
  ! -name xnor-bench ! -name cuda-bisect -delete
rm -f build-gpu/gpu/artem-binarize build-gpu/gpu/artem-image
du -sh build-gpu gpu-run
