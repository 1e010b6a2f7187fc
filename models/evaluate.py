#!/usr/bin/python3
"""Quantitative comparison of style networks as artem runs them: for opencv-doc photos,
the content loss to the photo (ImageNet VGG-19 relu2_2, relative squared error) and the
Gram style loss to the style picture (relu1_2, relu2_2, relu3_3, relative), averaged.
Feed-forward models run through build/gpu/artem-image, AdaIN models through the
artemadain element (gst-launch-1.0) at the given alpha.  Prints a Markdown table.

usage: evaluate.py BUILD_DIR  NAME:ff:MODEL.onnx:STYLE_PICTURE ...
                              NAME:adain:MODEL.onnx:STYLE_PICTURE[:ALPHA] ...
(STYLE_PICTURE may be '-' when the style picture is unknown: style loss not computed)"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from artem_models.data import load_rgb  # noqa: E402
from artem_models.vgg_loss import VGGLoss, gram  # noqa: E402

PHOTOS = ["fruits", "baboon", "building", "home", "messi5"]
DATA = "/usr/share/doc/opencv-doc/examples/data/"
STYLE_LAYERS = ["relu1_2", "relu2_2", "relu3_3"]


def to_tensor(bgr):
    return torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255


def main():
    build = sys.argv[1]
    vgg = VGGLoss(os.path.join(here, "..", "..", "shared", "weights", "vgg19-imagenet")).eval()
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(build, "gst"))
    print("| network | runs as | content loss (lower: closer to the photo) | style loss to its picture (lower: closer to the style) |")
    print("|---|---|---|---|")
    for spec in sys.argv[2:]:
        parts = spec.split(":")
        name, kind, model, style = parts[:4]
        alpha = float(parts[4]) if len(parts) > 4 else 1.0
        sg = None
        if style != "-":
            with torch.no_grad():
                sf = vgg(load_rgb(style, 256), STYLE_LAYERS)
                sg = {k: gram(v) for k, v in sf.items()}
        cl, sl = [], []
        for p in PHOTOS:
            img = cv2.imread(DATA + p + ".jpg")
            f = 256.0 / max(img.shape[:2])
            img = cv2.resize(img, (round(img.shape[1] * f), round(img.shape[0] * f)), interpolation=cv2.INTER_AREA)
            src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
            cv2.imwrite(src, img)
            if kind == "ff":
                cv2.imwrite(os.path.join(tmp, "in.ppm"), img)
                subprocess.check_call([os.path.join(build, "gpu", "artem-image"), model, os.path.join(tmp, "in.ppm"),
                                       os.path.join(tmp, "out.ppm"), "--backend", "cpu"])
                out = cv2.imread(os.path.join(tmp, "out.ppm"))
            else:
                subprocess.check_call(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec", "!",
                                       "videoconvert", "!", "video/x-raw,format=RGB", "!", "artemadain", "device=cpu",
                                       "model-location=" + model, "style-location=" + style, "style-size=256",
                                       "alpha=%g" % alpha, "!", "pngenc", "!", "filesink", "location=" + dst],
                                      env=env, stderr=subprocess.DEVNULL)
                out = cv2.imread(dst)
            with torch.no_grad():
                fo = vgg(to_tensor(out), STYLE_LAYERS)
                fc = vgg(to_tensor(img), ["relu2_2"])["relu2_2"]
                cl.append(((fo["relu2_2"] - fc) ** 2).mean().item() / (fc ** 2).mean().item())
                if sg:
                    sl.append(sum(((gram(fo[k]) - sg[k]) ** 2).mean().item() / (sg[k] ** 2).mean().item()
                                  for k in STYLE_LAYERS))
        kind_s = "feed-forward" if kind == "ff" else "AdaIN, alpha %g" % alpha
        print("| %s | %s | %.3f | %s |" % (name, kind_s, np.mean(cl), "%.3f" % np.mean(sl) if sl else "n/a (style picture not published)"))


if __name__ == "__main__":
    main()
