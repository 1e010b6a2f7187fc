#!/usr/bin/python3
"""The CPU's convolution kernels against each other: each shipped model (models/default)
stylizes opencv-doc photos through artem-image
- in fp32 with oneDNN's kernels forced and with OpenBLAS's forced (ARTEM_CONV_IMPL): the
  8-bit frames must agree to at least 60 dB PSNR (rounding differences only);
- in bf16 (oneDNN, fp32 accumulation) and in fp32: at least 40 dB, and the bf16 run
  must report bf16.  This part SKIPs on a CPU without AVX512-BF16 (or AMX), where
  precision auto is fp32.
usage: test_bf16.py ARTEM_IMAGE MODELS_DIR WORK_DIR"""
import os
import subprocess
import sys

import numpy as np

tool, models, work = sys.argv[1], sys.argv[2], sys.argv[3]
has_bf16 = " avx512_bf16" in open("/proc/cpuinfo").read()
try:
    import cv2
except ImportError:
    print("SKIP: python3-opencv is missing (scripts/install-deps.sh)")
    sys.exit(77)
data = "/usr/share/doc/opencv-doc/examples/data"
photos = [os.path.join(data, p) for p in ("baboon.jpg", "fruits.jpg", "building.jpg")]
photos = [p for p in photos if os.path.exists(p)]
if not photos:
    print("SKIP: no opencv-doc photos (package opencv-doc)")
    sys.exit(77)
os.makedirs(work, exist_ok=True)


def write_ppm(path, rgb):
    h, w = rgb.shape[:2]
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(np.ascontiguousarray(rgb).tobytes())


def read_ppm(path):
    with open(path, "rb") as f:
        raw = f.read()
    parts = raw.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], np.uint8).reshape(h, w, 3)


def run(model, ppm, out, precision, impl=None):
    env = dict(os.environ)
    env.pop("ARTEM_CONV_IMPL", None)
    if impl:
        env["ARTEM_CONV_IMPL"] = impl
    r = subprocess.run([tool, model, ppm, out, "--backend", "cpu", "--precision", precision],
                       capture_output=True, text=True, timeout=300, env=env)
    if r.returncode != 0:
        sys.exit("FAIL: artem-image %s %s: %s" % (model, precision, r.stderr.strip()))
    return r.stdout.strip(), read_ppm(out)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


failed = False
for name in ("default-style.onnx", "style-elephants.onnx", "style-graffiti.onnx", "style-cafe.onnx", "default-adain.onnx"):
    model = os.path.join(models, name)
    if not os.path.exists(model):
        continue
    for photo in photos:
        img = cv2.imread(photo)[:, :, ::-1]
        img = cv2.resize(img, (384, 288), interpolation=cv2.INTER_AREA)
        ppm = os.path.join(work, "in.ppm")
        write_ppm(ppm, img)
        p32, o32 = run(model, ppm, os.path.join(work, "fp32.ppm"), "fp32", "dnnl")
        _, ob = run(model, ppm, os.path.join(work, "blas.ppm"), "fp32", "blas")
        db = psnr(o32, ob)
        print("%s %s: fp32 oneDNN vs OpenBLAS %.1f dB %s" % (
            name, os.path.basename(photo), db, "ok" if db >= 60 else "FAIL"))
        failed |= db < 60
        if not has_bf16:
            continue
        p16, o16 = run(model, ppm, os.path.join(work, "bf16.ppm"), "bf16")
        db = psnr(o32, o16)
        ok = p32 == "precision=fp32" and p16 == "precision=bf16" and db >= 40.0
        print("%s %s %s/%s: bf16 vs fp32 %.1f dB (mean |diff| %.3f levels) %s" % (
            name, os.path.basename(photo), p32, p16, db,
            np.mean(np.abs(o32.astype(int) - o16.astype(int))), "ok" if ok else "FAIL"))
        failed |= not ok
if not has_bf16:
    print("SKIP (bf16 part): this CPU has no AVX512-BF16 or AMX: precision auto runs fp32 here")
sys.exit(1 if failed else 0)
