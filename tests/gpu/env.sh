# tests/gpu/env.sh — sourced by run.sh and bisect.sh on the GPU machine (needs RUN, PY):
# unpacks the Debian runtime libraries prepare.sh packed into $RUN/deps.tar.xz, finds
# NVIDIA's libraries in the Python packages, and defines
#   ALP                  the LD_LIBRARY_PATH for artem's programs (not for Python),
#   artem CMD...         runs CMD with it,
#   fill_weights NAME... puts seeded weights back into $RUN/NAME.onnx (weights.py).
nvlibs=$($PY - <<'PYEOF' 2>/dev/null
import glob, os, site
dirs = set()
for sp in site.getsitepackages() + [site.getusersitepackages()]:
    dirs.update(glob.glob(os.path.join(sp, "nvidia", "*", "lib")))
    dirs.update(glob.glob(os.path.join(sp, "nvidia", "cu*", "lib")))
print(":".join(sorted(dirs)))
PYEOF
)
DEPS=/tmp/artem-gpu-deps
if [ -f "$RUN/deps.tar.xz" ]; then
  mkdir -p "$DEPS" && tar -C "$DEPS" -xJf "$RUN/deps.tar.xz"
fi
D=$DEPS/deps/usr/lib/x86_64-linux-gnu
# NVIDIA's pip libraries, then Debian's
ALP="${nvlibs}:${LD_LIBRARY_PATH:-}:$D:$D/openblas-pthread:$DEPS/deps/lib/x86_64-linux-gnu"
artem () { LD_LIBRARY_PATH="$ALP" "$@"; }
fill_weights () {
  for n in "$@"; do
    [ -f "$RUN/$n.onnx" ] || $PY tests/gpu/weights.py fill "$RUN/$n.skel.onnx" "$RUN/$n.onnx" ||
      echo "could not fill $RUN/$n.onnx"
  done
}
