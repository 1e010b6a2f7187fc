#!/usr/bin/python3
"""Trains artem's own MicroAST-class arbitrary style network (the architecture of Wang et
al. 2023, models/artem_models/microast.py: content and style encoders, modulator,
modulated decoder; no VGG at inference) from scratch, for artemadain.

Losses, on the ImageNet VGG-19 layers in ../shared/weights/vgg19-imagenet (conv1_1 ..
conv3_4; the paper's relu4_1 and relu5_1 are not in those weights):
  - content: the output's relu2_1 and relu3_1 against the photo's, each normalized per
    channel (mean and std removed, as MicroAST's content loss), so style colours are free;
  - style: per-channel mean and std at relu1_1, relu2_1, relu3_1 (AdaIN's style loss) and
    Gram matrices at relu1_2, relu2_2, relu3_3 (the texture measure models/evaluate.py
    reports), each relative to the style picture's energy;
  - temporal (video): the photo moved by a small random affine warp with sensor noise
    must give the first output moved by the same warp (train_style.py's term; the warp
    gives the flow exactly, and pixels without a source are masked);
  - identity: with the photo as its own style the output is the photo (L1), which keeps
    structure and colours honest.
Content: about 115 photos and backgrounds from Debian packages (data.py); styles: the
paintings and abstract pictures named in STYLE_FILES plus every content picture (so any
picture works as a style).  The evaluation pictures' styles (starry_night.jpg,
Elephants.jpg) are among the training styles, as for default-adain.

  CPU, reduced (2 cores, about 2 hours): /usr/bin/python3 models/train/train_microast.py --out adain.onnx
  GPU, full:    python3 models/train/train_microast.py --out adain.onnx --full --device cuda

Writes OUT (ONNX for artemadain, RGB 0..1), OUT.ckpt every --checkpoint-every steps
(resumed automatically) and a progress bar."""
import glob
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from artem_models import microast  # noqa: E402
from artem_models import precision as prec  # noqa: E402
from artem_models import training as tr  # noqa: E402
from artem_models.data import Crops, content_files, load_rgb  # noqa: E402
from artem_models.vgg_loss import VGGLoss, gram  # noqa: E402

DEFAULT_STYLE = "/usr/share/doc/opencv-doc/examples/data/starry_night.jpg"
STYLE_FILES = sorted([DEFAULT_STYLE] +
                     glob.glob("/usr/share/backgrounds/mate/abstract/*.jpg") +
                     glob.glob("/usr/share/backgrounds/mate/abstract/*.png") +
                     glob.glob("/usr/share/wallpapers/Autumn/contents/images/1920x1080.jpg"))
STATS = ["relu1_1", "relu2_1", "relu3_1"]
GRAMS = ["relu1_2", "relu2_2", "relu3_3"]
CONTENT = ["relu2_1", "relu3_1"]


def norm(f):
    m, s = microast.mean_std(f)
    return (f - m) / s


def losses(vgg, out, c, s_feats, pad):
    """content, style terms of `out` (content `c`, style features precomputed)."""
    fo = {k: v.float() for k, v in vgg(out, STATS + GRAMS + CONTENT, pad).items()}
    with torch.no_grad():
        fc = {k: v.float() for k, v in vgg(c, CONTENT, pad).items()}
    content = sum(F.mse_loss(norm(fo[k]), norm(fc[k])) for k in CONTENT)
    style = 0
    for k in STATS:
        m, sd = microast.mean_std(fo[k])
        sm, ss = s_feats[k]
        style = style + (F.mse_loss(m, sm) + F.mse_loss(sd, ss)) / (sm.pow(2).mean() + ss.pow(2).mean() + 1e-8)
    for k in GRAMS:
        g = s_feats["gram_" + k]
        style = style + F.mse_loss(gram(fo[k]), g) / (g.pow(2).mean() + 1e-12)
    return content, style


def style_targets(vgg, s, pad):
    with torch.no_grad():
        f = {k: v.float() for k, v in vgg(s, STATS + GRAMS, pad).items()}
    t = {k: microast.mean_std(f[k]) for k in STATS}
    t.update({"gram_" + k: gram(f[k]) for k in GRAMS})
    return t


def main():
    ap = tr.parser(__doc__, "256 px, batch 8, 40000 steps")
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--style-weight", type=float, default=3.0)
    ap.add_argument("--temporal-weight", type=float, default=20.0)
    ap.add_argument("--identity-weight", type=float, default=1.0)
    ap.add_argument("--noise", type=float, default=3.0)
    ap.add_argument("--loss-pad", type=int, default=16)
    ap.add_argument("--export-only", action="store_true", help="write OUT from OUT.ckpt, no training")
    tr.add_common_args(ap)
    a = ap.parse_args()
    if a.full:
        a.size, a.batch, a.steps = 256, 8, 40000
    dev = tr.setup(a)
    vgg = VGGLoss(a.weights).to(dev).eval()
    crops = Crops(content_files(), a.size, a.seed)
    paintings = Crops(STYLE_FILES, a.size, a.seed + 1)
    net = microast.MicroAST().to(dev).train()
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    ckpt = a.out + ".ckpt"
    start = tr.load_checkpoint(ckpt, net, opt, dev)
    if a.export_only:
        a.steps = start
    rng = random.Random(a.seed + 2)
    gen = torch.Generator().manual_seed(a.seed)
    print("training MicroAST-class: %d content pictures, %d paintings, %d px, batch %d, %d steps on %s "
          "(%d threads, %s)" % (len(crops.images), len(paintings.images), a.size, a.batch, a.steps,
                                a.device, a.threads, a.precision))
    t0 = time.time()
    avg = tr.Smoothed(0.98)
    for step in range(start, a.steps):
        # cosine decay of the learning rate over the run
        for g in opt.param_groups:
            g["lr"] = a.lr * (0.1 + 0.9 * 0.5 * (1 + torch.cos(torch.tensor(step / a.steps * 3.14159)).item()))
        c = crops.batch(a.batch).to(dev)
        # three in four styles are paintings, one a photo (any picture must work as a style)
        s = torch.cat([paintings.batch(1) if rng.random() < 0.75 else crops.batch(1)
                       for _ in range(a.batch)]).to(dev)
        targets = style_targets(vgg, s, a.loss_pad)
        with prec.autocast(a.precision, a.device):
            out = net(c, s).float()
            content, style = losses(vgg, out, c, targets, a.loss_pad)
            temporal = torch.zeros((), device=dev)
            if a.temporal_weight > 0:
                temporal = tr.temporal_term(lambda x: net(x, s).float(), c, out, a.noise, gen)
            identity = torch.zeros((), device=dev)
            if a.identity_weight > 0 and step % 4 == 0:
                identity = F.l1_loss(net(c[:1], c[:1]).float(), c[:1])
        loss = content + a.style_weight * style + a.temporal_weight * temporal + a.identity_weight * identity
        tr.train_step(opt, loss, net, step, a, t0, avg, ckpt, "content %.3f style %.3f temporal %.5f",
                      max_loss=1e3, content=content, style=style, temporal=temporal)
    print()
    net = net.cpu().eval()
    meta = {"artem.source": "trained by models/train/train_microast.py (MicroAST architecture, Wang et al. 2023)",
            "artem.train": "size=%d batch=%d steps=%d lr=%g style_weight=%g temporal_weight=%g identity_weight=%g "
                           "noise=%g loss_pad=%d pictures=%d paintings=%d seed=%d precision=%s time=%.0fs" % (
                               a.size, a.batch, a.steps, a.lr, a.style_weight, a.temporal_weight,
                               a.identity_weight, a.noise, a.loss_pad, len(crops.images),
                               len(paintings.images), a.seed, a.precision, time.time() - t0)}
    # the file's own style (before artemadain sets one, and for artem-image): starry_night
    if a.export_only and os.path.exists(a.out):   # keep the training run's own record
        import onnx
        meta.update({p.key: p.value for p in onnx.load(a.out).metadata_props if p.key == "artem.train"})
    # the file's own style (before artemadain sets one, and for artem-image): starry_night
    microast.to_onnx(net, a.out, extra_meta=meta, style=load_rgb(DEFAULT_STYLE, 256))
    print("wrote %s (%d bytes) in %.0f s" % (a.out, os.path.getsize(a.out), time.time() - t0))


if __name__ == "__main__":
    main()
