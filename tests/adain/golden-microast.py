#!/usr/bin/python3
"""Golden test of artemadain running MicroAST (the second model family: two AdaIN nodes
and four modulation vectors, set through `artem.adain.split`) against the PyTorch model
of models/artem_models/microast.py with the release weights (../shared/weights/microast):
content = opencv-doc fruits.jpg at 160x150, style = starry_night.jpg at 128 px, both
written as PNG first.  The reference pads the content as artem does (reflection on the
right and bottom to a multiple of 4) and crops.  PSNR must be >= 40 dB at alpha 1 and 0.5.
usage: golden-microast.py PLUGIN_DIR OUT_DIR       (exit 77 without weights or torch)"""

import os
import sys

from golden_common import check, need_weights, pictures, tensor, to_bgr
import torch
import torch.nn.functional as F
from artem_models.microast import MicroAST, to_onnx  # noqa: E402

wdir = need_weights("microast")
plugin, out = sys.argv[1], sys.argv[2]
content, style, cpath, spath = pictures(out)
net = MicroAST.load(wdir)
model = os.path.join(out, "microast.onnx")
if not os.path.exists(model):
    to_onnx(net, model)


def reference(alpha):
    x = tensor(content)
    h, w = x.shape[2:]
    xp = F.pad(x, (0, (-w) % 4, 0, (-h) % 4), mode="reflect")
    with torch.no_grad():
        y = net(xp, tensor(style), alpha)[0, :, :h, :w]
    return to_bgr(y)


failed = 0
for alpha in (1.0, 0.5):
    dst = os.path.join(out, "ours-%.1f.png" % alpha)
    failed += not check(plugin, cpath, spath, model, ["alpha=%g" % alpha, "stabilize=0"], dst,
                        reference(alpha), "MicroAST alpha=%.1f" % alpha)
sys.exit(1 if failed else 0)
