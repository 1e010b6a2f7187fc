#!/usr/bin/python3
"""Trains artem's AdaIN pair (Huang & Belongie 2017) in two phases:
  1. distills a compact encoder (VGG-19 layout at --width of the channels, to relu3_1)
     from the ImageNet VGG-19 layers in ../shared/weights/vgg19-imagenet (feature
     regression at relu1_1, relu2_1, relu3_1 through 1x1 adapters, used only here);
  2. trains the mirrored decoder with the AdaIN paper's losses: content loss on the
     compact encoder's features of the output against the AdaIN target, style loss
     matching means and standard deviations of the teacher VGG's relu1_1..relu3_1 between
     output and style picture, plus an identity term (the decoder reconstructs the photo
     from its own features, L1 in pixels) that keeps colours and structure.
     Optional: Gram matrices of the teacher's relu1_2, relu2_2, relu3_3 against the style
     crop's (--gram-weight: texture, not only colour statistics), and the temporal term
     of train_style.py on synthetic motion (--temporal-weight: a moved, noisy photo must
     give the moved output), both of the video recipe in doc/models.md.
Content: opencv-doc photos and mate-backgrounds nature photos; styles: starry_night.jpg
and mate-backgrounds' abstract paintings.  Writes one ONNX AdaIN model for artemadain.

  CPU, reduced: /usr/bin/python3 models/train/train_adain.py --out adain.onnx
  GPU, full:    python3 models/train/train_adain.py --out adain.onnx --full --device cuda"""
import glob
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, ".."))
from artem_models import nets  # noqa: E402
from artem_models.adain_onnx import export_adain  # noqa: E402
from artem_models.data import Crops, content_files  # noqa: E402
from artem_models.vgg_loss import VGGLoss, gram  # noqa: E402
from artem_models import precision as prec  # noqa: E402
from artem_models.training import add_common_args, parser, progress, setup, temporal_term  # noqa: E402

STYLE_FILES = ["/usr/share/doc/opencv-doc/examples/data/starry_night.jpg"] + sorted(
    glob.glob("/usr/share/backgrounds/mate/abstract/Elephants.jpg") +
    glob.glob("/usr/share/backgrounds/mate/abstract/Flow.png") +
    glob.glob("/usr/share/backgrounds/mate/abstract/Gulp.png"))
TEACHER = ["relu1_1", "relu2_1", "relu3_1"]
GRAM = ["relu1_2", "relu2_2", "relu3_3"]


def onnx_weights(path, dev):
    """The initializers of an AdaIN file of export_adain as a state dict (encoder names as
    they are, decoder names with "dec/"), without the AdaIN node's own."""
    import onnx
    from onnx import numpy_helper
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).to(dev)
            for t in onnx.load(path).graph.initializer if not t.name.startswith("adain.")}


def stats(f):
    n, c = f.shape[:2]
    v = f.reshape(n, c, -1)
    return v.mean(2).view(n, c, 1, 1), (v.var(2) + 1e-5).sqrt().view(n, c, 1, 1)


def adain(fc, fs):
    cm, cs = stats(fc)
    sm, ss = stats(fs)
    return (fc - cm) / cs * ss + sm


class Student(nn.Module):
    """The compact encoder with taps at relu1_1, relu2_1, relu3_1."""

    def __init__(self, width):
        super().__init__()
        self.enc = nets.VGGEncoder(width=width, depth="relu3_1", ceil_mode=False)

    def forward(self, x):
        e = self.enc
        x = e.convs["conv0"](x)
        taps = []
        for p in e.plan:
            if p[0] == "pool":
                x = F.max_pool2d(x, 2, 2)
            else:
                x = F.relu(e.convs[p[0]](F.pad(x, (1, 1, 1, 1), mode="reflect")))
                if p[0] in ("conv11", "conv21", "conv31"):
                    taps.append(x)
        return taps


def main():
    ap = parser(__doc__, "256 px, batch 8, 3000 + 6000 steps")
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--distill-steps", type=int, default=600)
    ap.add_argument("--decoder-steps", type=int, default=1200)
    ap.add_argument("--style-weight", type=float, default=2.0)
    ap.add_argument("--identity-weight", type=float, default=5.0)
    ap.add_argument("--gram-weight", type=float, default=0.0,
                    help="Gram matrices at relu1_2, relu2_2, relu3_3 against the style crop's")
    ap.add_argument("--temporal-weight", type=float, default=0.0,
                    help="output consistency under a small random warp of the photo (0: off)")
    ap.add_argument("--noise", type=float, default=2.0, help="sensor noise (levels) of the temporal term")
    ap.add_argument("--loss-pad", type=int, default=0,
                    help="reflection padding (a multiple of 4) of the loss network's input in phase 2, cropped off "
                         "its activations (0: VGG's zero padding sees the border: a frame; train_style.py's)")
    ap.add_argument("--init", default="",
                    help="an AdaIN ONNX file of this script (e.g. models/default/default-adain.onnx): its "
                         "encoder and decoder start phase 2, phase 1 is skipped (fine-tuning)")
    ap.add_argument("--lr", type=float, default=1e-3, help="phase 2's learning rate")
    ap.add_argument("--style-crop", type=int, default=0,
                    help="pixels cut off each side of starry_night.jpg (the scan's border and mat: 22)")
    add_common_args(ap)
    a = ap.parse_args()
    if a.full:
        a.size, a.batch, a.distill_steps, a.decoder_steps = 256, 8, 3000, 6000
    dev = setup(a)   # phase 1 runs in fp32; phase 2's forward passes in a.precision
    teacher = VGGLoss(a.weights).to(dev).eval()
    crops = Crops(content_files(), a.size, a.seed)
    styles = Crops(STYLE_FILES, a.size, a.seed + 1, {"starry_night.jpg": a.style_crop})
    student = Student(a.width).to(dev)
    chans = [int(64 * a.width), int(128 * a.width), int(256 * a.width)]
    adapters = nn.ModuleList([nn.Conv2d(c, t, 1) for c, t in zip(chans, (64, 128, 256))]).to(dev)
    t0 = time.time()
    print("phase 1: distilling a %g-width encoder to relu3_1 (%d steps, %d px, batch %d)" % (
        a.width, a.distill_steps, a.size, a.batch))
    opt = torch.optim.Adam(list(student.parameters()) + list(adapters.parameters()), lr=1e-3)
    ckpt = a.out + ".ckpt"   # periodic checkpoints; a rerun resumes from the last one
    state = torch.load(ckpt, map_location=dev) if os.path.exists(ckpt) else {}
    if state:
        student.load_state_dict(state["student"])
        adapters.load_state_dict(state["adapters"])
        print("resumed from %s (phase %d, step %d)" % (ckpt, state["phase"], state["step"]))
    init = {} if state or not a.init else onnx_weights(a.init, dev)
    if init:   # fine-tuning: the encoder is the file's, phase 1 is done
        student.enc.load_state_dict({k: v for k, v in init.items() if not k.startswith("dec/")})
        print("encoder and decoder from %s" % a.init)
    start1 = state["step"] if state.get("phase") == 1 else (a.distill_steps if state or init else 0)
    dl = 0.0
    with torch.no_grad():   # teacher features are in the hundreds: regress them scaled to ~1
        probe = teacher(crops.batch(8).to(dev), TEACHER)
        scale = {k: v.std().item() + 1e-6 for k, v in probe.items()}
    for step in range(start1, a.distill_steps):
        x = torch.cat([crops.batch(a.batch - 1), styles.batch(1)]).to(dev)
        with torch.no_grad():
            tf = {k: v / scale[k] for k, v in teacher(x, TEACHER).items()}
        taps = student(x)
        loss = sum(F.mse_loss(ad(s), tf[k]) / (tf[k].pow(2).mean() + 1e-8)
                   for ad, s, k in zip(adapters, taps, TEACHER))
        opt.zero_grad()
        loss.backward()
        opt.step()
        dl = loss.item() if step == 0 else 0.95 * dl + 0.05 * loss.item()
        if step % 5 == 0 or step == a.distill_steps - 1:
            progress(step + 1, a.distill_steps, t0, "distillation %.4f" % dl)
        if (step + 1) % a.checkpoint_every == 0:
            torch.save({"phase": 1, "step": step + 1, "student": student.state_dict(),
                        "adapters": adapters.state_dict()}, ckpt)
    print()
    enc = student.enc.eval()
    for p in enc.parameters():
        p.requires_grad_(False)
    dec = nets.VGGDecoder(width=a.width, depth="relu3_1", last_relu=False).to(dev)
    if init:
        dec.load_state_dict({k[4:]: v for k, v in init.items() if k.startswith("dec/")})
    opt = torch.optim.Adam(dec.parameters(), lr=a.lr)
    start2 = 0
    if state.get("phase") == 2:
        dec.load_state_dict(state["decoder"])
        start2 = state["step"]
    t1 = time.time()
    print("phase 2: decoder with AdaIN content + style losses (%d steps, style weight %g)" % (
        a.decoder_steps, a.style_weight))
    lc = ls = 0.0
    gen = torch.Generator().manual_seed(a.seed)
    want = TEACHER + (GRAM if a.gram_weight > 0 else [])
    lt = lg = 0.0
    for step in range(start2, a.decoder_steps):
        c, s = crops.batch(a.batch).to(dev), styles.batch(a.batch).to(dev)
        with torch.no_grad():
            fs = enc(s)
            t = adain(enc(c), fs)
            tf = teacher(s, want, a.loss_pad)
            ts = {k: stats(tf[k]) for k in TEACHER}
            tg = {k: gram(tf[k]) for k in GRAM if k in tf}

        def run(x, fs=fs):
            with prec.autocast(a.precision, a.device):
                return dec(adain(enc(x), fs)).float()
        with prec.autocast(a.precision, a.device):
            g = dec(t).float()
            go = {k: v.float() for k, v in teacher(g, want, a.loss_pad).items()}
            ge = enc(g).float()
        content = F.mse_loss(ge, t) / (t.pow(2).mean() + 1e-8)
        style = 0
        for k in TEACHER:
            m, sd = stats(go[k])
            sm, ss = ts[k]
            style = style + (F.mse_loss(m, sm) + F.mse_loss(sd, ss)) / (sm.pow(2).mean() + ss.pow(2).mean() + 1e-8)
        grams = sum((F.mse_loss(gram(go[k]), tg[k]) / (tg[k].pow(2).mean() + 1e-12) for k in tg),
                    torch.zeros((), device=dev))
        # identity: at alpha 0 the decoder reconstructs the photo (keeps colours and
        # structure honest where the compact encoder is blind)
        with prec.autocast(a.precision, a.device):
            identity = F.l1_loss(dec(enc(c)).float(), c)
        temporal = (temporal_term(run, c, g, a.noise, gen) if a.temporal_weight > 0
                    else torch.zeros((), device=dev))
        loss = (content + a.style_weight * style + a.identity_weight * identity +
                a.gram_weight * grams + a.temporal_weight * temporal)
        opt.zero_grad()
        if not torch.isfinite(loss):
            print("\nstep %d: the loss is %g; step skipped" % (step, loss.item()))
            continue
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dec.parameters(), 10.0)
        opt.step()
        k = 0.0 if step == start2 else 0.95
        lc = k * lc + (1 - k) * content.item()
        ls = k * ls + (1 - k) * style.item()
        lg = k * lg + (1 - k) * grams.item()
        lt = k * lt + (1 - k) * temporal.item()
        if step % 5 == 0 or step == a.decoder_steps - 1:
            progress(step + 1, a.decoder_steps, t1, "content %.3f style %.4f gram %.4f temporal %.5f" % (
                lc, ls, lg, lt))
        if (step + 1) % a.checkpoint_every == 0:
            torch.save({"phase": 2, "step": step + 1, "student": student.state_dict(),
                        "adapters": adapters.state_dict(), "decoder": dec.state_dict()}, ckpt)
    print()
    dec = dec.cpu().eval()
    enc = enc.cpu().eval()
    meta = {"artem.source": "trained by models/train/train_adain.py",
            "artem.train": "width=%g depth=relu3_1 size=%d batch=%d distill_steps=%d decoder_steps=%d "
                           "style_weight=%g identity_weight=%g gram_weight=%g temporal_weight=%g noise=%g "
                           "style_crop=%d loss_pad=%d lr=%g init=%s precision=%s seed=%d time=%.0fs styles=%s" % (
                               a.width, a.size, a.batch, a.distill_steps, a.decoder_steps, a.style_weight,
                               a.identity_weight, a.gram_weight, a.temporal_weight, a.noise, a.style_crop,
                               a.loss_pad, a.lr, os.path.basename(a.init) or "-", a.precision,
                               a.seed, time.time() - t0, ",".join(os.path.basename(f) for f in STYLE_FILES))}
    export_adain(enc, dec, a.out, chans[2], torch.rand(1, 3, 64, 64), 13, meta)
    print("wrote %s (%d bytes) in %.0f s" % (a.out, os.path.getsize(a.out), time.time() - t0))


if __name__ == "__main__":
    main()
