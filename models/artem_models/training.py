"""What the training scripts (models/train/) share: the common options, the progress
bar, checkpoints, a guarded optimizer step, and the synthetic motion of the temporal
term (ReCoNet-style output consistency, Gao et al. 2018, with the flow known exactly)."""
import os
import sys
import time

import torch
import torch.nn.functional as F

from . import precision as prec

WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                       "weights", "vgg19-imagenet")


def parser(doc, full_help, size=128, batch=4):
    """The argument parser with --out, --full, --size, --batch (and the common options,
    added by add_common_args after the script's own)."""
    import argparse
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--full", action="store_true", help=full_help)
    ap.add_argument("--size", type=int, default=size)
    ap.add_argument("--batch", type=int, default=batch)
    return ap


def add_common_args(ap):
    """--weights --threads --device --seed --checkpoint-every --precision"""
    ap.add_argument("--weights", default=WEIGHTS, help="ImageNet VGG-19 layers (the loss network)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checkpoint-every", type=int, default=200)
    prec.add_argument(ap)


def setup(a):
    """Seeds, threads and precision from the common options; returns the torch device."""
    a.precision = prec.resolve(a.precision, a.device)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    return torch.device(a.device)


_FIRST = {}   # t0 -> the step before the first one timed from it (a resumed run starts late)


def progress(step, total, t0, msg):
    """The progress line at `step` of `total`; the time left is extrapolated from the steps
    run since t0, so that a run resumed from a checkpoint does not count the steps it
    skipped as done in no time."""
    frac = step / total
    el = time.time() - t0
    done = step - _FIRST.setdefault(t0, step - 1)
    eta = el / max(done, 1) * (total - step)
    bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
    sys.stdout.write("\r[%s] %d/%d %s  %.0fs elapsed, %.0fs left " % (bar, step, total, msg, el, eta))
    sys.stdout.flush()


def load_checkpoint(path, net, opt, dev):
    """Restores net and optimizer from `path` if it exists; returns the step to start at."""
    if not os.path.exists(path):
        return 0
    st = torch.load(path, map_location=dev)
    net.load_state_dict(st["net"])
    opt.load_state_dict(st["opt"])
    print("resumed from %s at step %d" % (path, st["step"]))
    return st["step"]


def save_checkpoint(path, net, opt, step):
    torch.save({"net": net.state_dict(), "opt": opt.state_dict(), "step": step}, path)


def optimizer_step(opt, loss, params, step, clip=10.0, max_loss=None):
    """backward and step unless the loss or a gradient is not finite, or the loss is over
    max_loss (an outlier batch; the step is then skipped with a message); returns whether
    it stepped."""
    opt.zero_grad()
    if not torch.isfinite(loss) or (max_loss is not None and loss.item() > max_loss):
        print("\nstep %d: the loss is %g; step skipped" % (step, loss.item()))
        return False
    loss.backward()
    grads = [q.grad for q in params if q.grad is not None]
    if not all(torch.isfinite(g).all() for g in grads):
        print("\nstep %d: a gradient is not finite; step skipped" % step)
        return False
    torch.nn.utils.clip_grad_norm_(params, clip)
    opt.step()
    return True


def log_step(step, total, t0, avg, fmt, keys, every_ckpt=0, ckpt=None, net=None, opt=None):
    """The progress line every 5 steps (fmt % the smoothed keys), and a checkpoint every
    `every_ckpt` steps and after the last one (so that a further stage resumes from it)."""
    if step % 5 == 0 or step == total - 1:
        progress(step + 1, total, t0, fmt % tuple(avg[k] for k in keys))
    if every_ckpt and ((step + 1) % every_ckpt == 0 or step + 1 == total):
        save_checkpoint(ckpt, net, opt, step + 1)


def train_step(opt, loss, net, step, a, t0, avg, ckpt, fmt, max_loss=None, **losses):
    """One guarded optimizer step (optimizer_step), then the smoothed losses (tensors by
    name), the progress line (fmt over them, in the order given) and the checkpoint."""
    if not optimizer_step(opt, loss, list(net.parameters()), step, max_loss=max_loss):
        return
    avg.add(**{k: v.item() for k, v in losses.items()})
    log_step(step, a.steps, t0, avg, fmt, tuple(losses), a.checkpoint_every, ckpt, net, opt)


class Smoothed:
    """Exponential moving averages of named losses, for the progress line."""

    def __init__(self, keep=0.95):
        self.keep, self.v = keep, {}

    def add(self, **values):
        for k, x in values.items():
            x = float(x)
            self.v[k] = x if k not in self.v else self.keep * self.v[k] + (1 - self.keep) * x

    def __getitem__(self, k):
        return self.v.get(k, 0.0)


def random_warp(n, size, dev, gen):
    """Sampling grids of n small random affine motions (shift up to 3 % of the side,
    rotation up to 3 degrees, zoom up to 3 %) and the mask of pixels that have a source."""
    r = lambda lim: (torch.rand(n, generator=gen) * 2 - 1) * lim
    ang, zoom = r(3.0) * 3.14159 / 180, 1 + r(0.03)
    tx, ty = r(0.06), r(0.06)   # in the grid's -1..1 units: 3 % of the side
    cos, sin = torch.cos(ang) / zoom, torch.sin(ang) / zoom
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1).to(dev)
    grid = F.affine_grid(theta, (n, 3, size, size), align_corners=False)
    mask = ((grid.abs() <= 1).all(-1)).float()[:, None]
    return grid, mask


def warp(x, grid):
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def temporal_term(run, x, y, noise, gen):
    """The moved input (a random small warp of x plus noise of std `noise` levels) must
    give the output y moved by the same warp: the masked mean squared difference (its
    gradient flows into both passes).  run: x -> output, both 0..1."""
    grid, mask = random_warp(x.shape[0], x.shape[-1], x.device, gen)
    x2 = (warp(x, grid) + torch.randn(x.shape, generator=gen).to(x.device) * (noise / 255)).clamp(0, 1)
    y2 = run(x2)
    return ((y2 - warp(y, grid)) ** 2 * mask).sum() / (mask.sum() * 3 + 1e-8)
