#!/usr/bin/python3
"""Golden test of artemadain against a PyTorch AdaIN reference on the cd-vgg19-16x
relu4_1 pair: content = opencv-doc fruits.jpg at 160x150, style = starry_night.jpg at
128 px (both written as PNG first, so both sides decode the same pixels).  The reference
is the paper's formula with the reference code's statistics (unbiased variance + 1e-5).
Our side runs the element in gst-launch-1.0, with margin=16 (the reference mirrors the
picture by 16 px and crops) and with its default (none).  PSNR must be >= 40 dB at alpha 1
and 0.5.
usage: golden.py PLUGIN_DIR OUT_DIR            (exit 77 without weights or torch)"""

import os
import sys

from golden_common import check, need_weights, pictures, tensor, to_bgr
import torch
import torch.nn.functional as F
import convert  # noqa: E402  (models/, on the path through golden_common)

wdir = need_weights("cd-vgg19-16x")
plugin, out = sys.argv[1], sys.argv[2]
content, style, cpath, spath = pictures(out)
model = os.path.join(out, "adain-cd41.onnx")
enc_p, dec_p = os.path.join(wdir, "encoder-relu4_1.pth"), os.path.join(wdir, "decoder-relu4_1.pth")
if not os.path.exists(model):
    convert.main(["adain-cd", enc_p, dec_p, model])
enc, dec = convert.load_cd_vgg(enc_p, dec_p, "relu4_1")
enc.eval()
dec.eval()


def stats(feat):
    n, c = feat.shape[:2]
    v = feat.view(n, c, -1)
    return v.mean(2).view(n, c, 1, 1), (v.var(2) + 1e-5).sqrt().view(n, c, 1, 1)


def reference(alpha, margin):
    x = tensor(content)
    h, w = x.shape[2:]
    m = margin   # the element's margin: the picture mirrored on every side, cropped after;
    # the padding to the alignment (8) on the right and bottom goes on mirroring the picture
    xp = F.pad(x, (m, m + (-(w + 2 * m)) % 8, m, m + (-(h + 2 * m)) % 8), mode="reflect")
    with torch.no_grad():
        fc, fs = enc(xp), enc(tensor(style))
        cm, cs = stats(fc)
        sm, ss = stats(fs)
        t = alpha * ((fc - cm) / cs * ss + sm) + (1 - alpha) * fc
        y = dec(t)[0, :, m:m + h, m:m + w]
    return to_bgr(y)


failed = 0
# a mirrored margin of 16, and artemadain's default (none)
for alpha, margin in ((1.0, 16), (0.5, 16), (1.0, 0)):
    dst = os.path.join(out, "ours-%.1f-%d.png" % (alpha, margin))
    prop = ["alpha=%g" % alpha] + ([] if margin == 0 else ["margin=%d" % margin])
    failed += not check(plugin, cpath, spath, model, prop, dst, reference(alpha, margin),
                        "alpha=%.1f margin=%d" % (alpha, margin))
sys.exit(1 if failed else 0)
