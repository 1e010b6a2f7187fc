#!/usr/bin/python3
"""Trains a feed-forward style network (TransformerNet, Johnson et al. 2016 with instance
normalization; narrower than the original with --width) for one style picture, with
perceptual content and Gram style losses on ImageNet VGG-19 (../shared/weights/vgg19-imagenet:
content relu2_2, style relu1_2 relu2_2 relu3_3; relu4_x is not in those weights).
Content: random crops of about 115 photos and backgrounds from Debian packages
(models/artem_models/data.py names them; scripts/install-train-deps.sh installs them).

Video: --temporal-weight adds a stability term on synthetic motion (ReCoNet-style output
consistency, Gao et al. 2018, with the flow known exactly): each crop is also shown moved
by a random small affine warp (shift, rotation, zoom) with sensor-like noise added, and
the output of the moved crop must equal the first output moved by the same warp, where
the warp has a source pixel (an occlusion-free mask).  No flow data set is needed.

  CPU, reduced size (2 cores, well under 2 hours):
    /usr/bin/python3 models/train/train_style.py --style STYLE.jpg --out style.onnx
  NVIDIA GPU, full size (minutes):
    python3 models/train/train_style.py --style STYLE.jpg --out style.onnx --full --device cuda

Writes OUT (ONNX, RGB 0..255 in and out, training details in metadata), a checkpoint
every --checkpoint-every steps (OUT.ckpt, resumed automatically) and prints progress."""
import os
import sys
import time

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from artem_models import nets  # noqa: E402
from artem_models import precision as prec  # noqa: E402
from artem_models import training as tr  # noqa: E402
from artem_models.data import Crops, content_files, load_rgb  # noqa: E402
from artem_models.onnx_export import export  # noqa: E402
from artem_models.vgg_loss import VGGLoss, gram  # noqa: E402

STYLE_LAYERS = ["relu1_2", "relu2_2", "relu3_3"]
CONTENT_LAYER = "relu2_2"


def main():
    ap = tr.parser(__doc__, "full size: 256 px crops, batch 4, width 1, 4000 steps", batch=2)
    ap.add_argument("--style", required=True)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--width", type=float, default=0.5)
    ap.add_argument("--style-size", type=int, default=256)
    ap.add_argument("--style-crop", default="0",
                    help="pixels cut off each side of the style picture, N or T,B,L,R (opencv-doc's "
                         "starry_night.jpg has an 8 px black border and a light mat line: their long straight "
                         "edges in the Gram matrices teach the network straight streaks and a frame; 22 removes "
                         "them; graf1.png's car in front of the mural: 0,170,0,0)")
    ap.add_argument("--style-weight", type=float, default=8.0)
    ap.add_argument("--tv-weight", type=float, default=2e-5)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--temporal-weight", type=float, default=0.0,
                    help="stability on synthetic motion (0: off; the video recipe uses 60)")
    ap.add_argument("--noise", type=float, default=3.0, help="noise std (levels) on the moved crop")
    ap.add_argument("--loss-pad", type=int, default=16,
                    help="reflection padding (px, multiple of 4) around pictures entering the loss "
                         "network, cropped off its activations (0: VGG's zero padding sees the border, "
                         "which teaches the generator to draw a frame)")
    tr.add_common_args(ap)
    a = ap.parse_args()
    if a.full:
        a.size, a.batch, a.width, a.steps, a.style_size = 256, 4, 1.0, 4000, 512
    dev = tr.setup(a)
    vgg = VGGLoss(a.weights).to(dev).eval()
    net = nets.TransformerNet(width=a.width).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    crops = Crops(content_files(), a.size, a.seed)
    style = load_rgb(a.style, a.style_size, a.style_crop).to(dev)
    with torch.no_grad():
        sf = vgg(style, STYLE_LAYERS, a.loss_pad)
        style_grams = {k: gram(v) for k, v in sf.items()}
        style_norm = {k: g.pow(2).mean() for k, g in style_grams.items()}
    ckpt = a.out + ".ckpt"
    start = tr.load_checkpoint(ckpt, net, opt, dev)
    t0 = time.time()
    print("training %s: %d pictures, %dx%d crops, batch %d, width %g, %d steps on %s (%d threads, %s)" % (
        os.path.basename(a.style), len(crops.images), a.size, a.size, a.batch, a.width, a.steps, a.device,
        a.threads, a.precision))
    avg = tr.Smoothed()
    gen = torch.Generator().manual_seed(a.seed)

    def run(x):
        with prec.autocast(a.precision, a.device):
            return (net(x * 255.0) / 255.0).float()
    for step in range(start, a.steps):
        x = crops.batch(a.batch).to(dev)
        y = run(x)
        temporal = tr.temporal_term(run, x, y, a.noise, gen) if a.temporal_weight > 0 else torch.zeros((), device=dev)
        with prec.autocast(a.precision, a.device):
            fy = {k: v.float() for k, v in vgg(y, STYLE_LAYERS, a.loss_pad).items()}
            with torch.no_grad():
                fx = vgg(x, [CONTENT_LAYER], a.loss_pad)[CONTENT_LAYER].float()
        content = F.mse_loss(fy[CONTENT_LAYER], fx) / (fx.pow(2).mean() + 1e-8)
        style_l = sum(F.mse_loss(gram(fy[k]), style_grams[k].expand(a.batch, -1, -1)) / style_norm[k]
                      for k in STYLE_LAYERS)
        tv = (y[:, :, 1:] - y[:, :, :-1]).abs().mean() + (y[:, :, :, 1:] - y[:, :, :, :-1]).abs().mean()
        loss = content + a.style_weight * style_l + a.tv_weight * tv * 1e4 + a.temporal_weight * temporal
        tr.train_step(opt, loss, net, step, a, t0, avg, ckpt, "content %.3f style %.4f temporal %.5f",
                      content=content, style=style_l, temporal=temporal)
    print()
    net = net.cpu().eval()
    meta = {"artem.source": "trained by models/train/train_style.py",
            "artem.train": "style=%s steps=%d size=%d batch=%d width=%g style_weight=%g tv_weight=%g "
                           "temporal_weight=%g noise=%g loss_pad=%d style_size=%d style_crop=%s pictures=%d seed=%d precision=%s time=%.0fs" % (
                os.path.basename(a.style), a.steps, a.size, a.batch, a.width, a.style_weight,
                a.tv_weight, a.temporal_weight, a.noise, a.loss_pad, a.style_size, a.style_crop, len(crops.images), a.seed,
                a.precision, time.time() - t0)}
    export(net, a.out, torch.rand(1, 3, 64, 64) * 255, opset=13, extra_meta=meta)
    print("wrote %s (%d bytes); final content %.3f style %.4f" % (a.out, os.path.getsize(a.out), avg["content"],
                                                               avg["style"]))


if __name__ == "__main__":
    main()
