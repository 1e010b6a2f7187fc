#!/usr/bin/python3
"""The training loop's bookkeeping (models/artem_models/training.py) and the staged
recipes of models/train/recipes.sh:
- a run resumed from a checkpoint estimates its time left from the steps it ran, not
  from all the steps before it (which the old estimate counted as done in no time);
- a checkpoint is written after the last step even where the step count is no multiple
  of --checkpoint-every, so that the next stage resumes from it;
- recipes.sh runs each style's stages in order, with each stage's steps, temporal and
  style weights, and ARTEM_TRAIN_ARGS after them (a stand-in for train_style.py records
  the calls: no training here).
SKIPs (77) without PyTorch."""
import io
import os
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout

try:
    import torch
except ImportError as e:
    print("SKIP: %s (scripts/install-deps.sh installs python3-torch)" % e)
    sys.exit(77)
top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(top, "models"))
from artem_models import training as tr  # noqa: E402

fails = 0


def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += not ok


def time_left(line):
    return float(line.rsplit("elapsed,", 1)[1].split("s left")[0])


# 1. time left after a resume: 10 s for the first 10 steps of 3600..4400 -> about 790 s
t0 = time.time() - 10
buf = io.StringIO()
with redirect_stdout(buf):
    tr.progress(3601, 4400, t0, "first")
    tr.progress(3610, 4400, t0, "tenth")
left = time_left(buf.getvalue().split("\r")[-1])
check(700 < left < 900, "resumed at 3600, 10 steps in 10 s: %.0f s left of 790 (the old estimate said 2)" % left)

# 2. a checkpoint after the last step, 7 steps with checkpoints every 200
with tempfile.TemporaryDirectory() as d:
    net = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(net.parameters())
    ckpt = os.path.join(d, "m.ckpt")
    with redirect_stdout(io.StringIO()):
        for step in range(7):
            tr.log_step(step, 7, time.time(), {"l": 1.0}, "l %.1f", ("l",), 200, ckpt, net, opt)
    check(os.path.exists(ckpt), "a checkpoint after the last of 7 steps (every 200)")
    with redirect_stdout(io.StringIO()):
        start = tr.load_checkpoint(ckpt, torch.nn.Linear(2, 2), torch.optim.Adam(net.parameters()),
                                   torch.device("cpu"))
    check(start == 7, "the next stage resumes at step 7 (got %s)" % start)

# 3. recipes.sh's stages, with a stand-in for the Python that would train
with tempfile.TemporaryDirectory() as d:
    log = os.path.join(d, "calls")
    fake = os.path.join(d, "python")
    with open(fake, "w") as f:
        f.write('#!/bin/sh\necho "$@" >> "%s"\n' % log)
    os.chmod(fake, 0o755)
    env = dict(os.environ, ARTEM_PYTHON=fake, ARTEM_TRAIN_ARGS="--threads 1")
    r = subprocess.run(["sh", os.path.join(top, "models", "train", "recipes.sh"), os.path.join(d, "out"),
                        "starry", "graffiti"], env=env, capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "recipes.sh starry graffiti ran (rc %d %s)" % (r.returncode, r.stderr.strip()))
    calls = open(log).read().split("\n")[:-1] if os.path.exists(log) else []

    def arg(call, name):
        a = call.split()
        return a[a.index(name) + 1]
    got = [(os.path.basename(arg(c, "--out")), arg(c, "--steps"), arg(c, "--temporal-weight"),
            arg(c, "--style-weight")) for c in calls]
    want = [("style-starry.onnx", "2000", "20", "8"), ("style-starry.onnx", "2800", "60", "8"),
            ("style-starry.onnx", "3600", "150", "8"), ("style-starry.onnx", "4400", "150", "11"),
            ("style-graffiti.onnx", "2000", "60", "3")]
    check(got == want, "the stages in order: %s" % got)
    check(all(c.endswith("--threads 1") for c in calls), "ARTEM_TRAIN_ARGS after each stage's own")
    check(all(arg(c, "--style-crop") == ("22" if "starry" in c else "0,170,0,0") for c in calls),
          "each style's crop")
    r = subprocess.run(["sh", os.path.join(top, "models", "train", "recipes.sh"), os.path.join(d, "out"), "nosuch"],
                       env=env, capture_output=True, text=True, timeout=60)
    check(r.returncode == 2 and "unknown style" in r.stderr, "an unknown style is refused")

print("%d failed" % fails)
sys.exit(1 if fails else 0)
