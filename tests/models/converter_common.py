"""What the converter tests share: the SKIP without PyTorch/OpenCV, the arguments
(ARTEM_IMAGE OUT_DIR), the model run through artem-image on the CPU, and the PSNR."""
import os
import subprocess
import sys

try:
    import cv2
    import numpy as np
    import torch  # noqa: F401
except ImportError as e:
    print("SKIP:", e)
    sys.exit(77)
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "models"))


def args():
    """(artem-image, output folder) from the command line; the folder is created."""
    tool, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    return tool, out


def run_artem(tool, model, img_bgr, out):
    """img_bgr (8-bit) through `model` by artem-image on the CPU; the output, BGR float64."""
    cv2.imwrite(os.path.join(out, "in.ppm"), img_bgr)
    subprocess.check_call([tool, model, os.path.join(out, "in.ppm"), os.path.join(out, "out.ppm"),
                           "--backend", "cpu"])
    return cv2.imread(os.path.join(out, "out.ppm")).astype(np.float64)


def psnr(a, b):
    mse = ((a - b) ** 2).mean()
    return 99 if mse == 0 else 10 * np.log10(255 ** 2 / mse)
