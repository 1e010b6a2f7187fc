#!/usr/bin/python3
"""Runs every ```sh block of README.md as written, from a copy of the repository's layout
(the top-level entries linked into a temp folder, `build` linked to BUILD_DIR, `out/`
fresh), so that a command that names a file nothing creates fails here.  The only
changes: a camera becomes a 3-frame videotestsrc and a window a fakesink (v4l2src ->
videotestsrc num-buffers=3, autovideosink -> fakesink).  Lines after an artem-control
command are its standard input.  Not run: scripts/install-deps.sh (root and the network;
CI runs it first) and scripts/test.sh (this test is part of it); blocks that read
../shared/weights SKIP with the reason when it is absent.
usage: readme.py SOURCE_DIR BUILD_DIR"""
import os
import re
import subprocess
import sys
import tempfile

src, build = (os.path.abspath(p) for p in sys.argv[1:3])
text = open(os.path.join(src, "README.md")).read()
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
shared = os.path.join(os.path.dirname(src), "shared")
tmp = tempfile.mkdtemp(prefix="artem-readme.")
repo = os.path.join(tmp, "repo")
os.mkdir(repo)
for e in os.listdir(src):
    if e in ("out", ".git") or e.startswith("build"):
        continue
    os.symlink(os.path.join(src, e), os.path.join(repo, e))
os.symlink(build, os.path.join(repo, "build"))
if os.path.isdir(shared):
    os.symlink(shared, os.path.join(tmp, "shared"))
env = dict(os.environ)
for k in ("GST_PLUGIN_PATH", "ARTEM_MODELDIR"):
    env.pop(k, None)
fail = 0
exports = []   # a reader follows the README in one shell: earlier exports hold
for i, block in enumerate(blocks, 1):
    block = re.sub(r"\\\n\s*", "", block)   # continuation lines
    lines = [l for l in block.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    run, stdin = [], None
    for j, l in enumerate(lines):
        if "artem-control" in l and not l.startswith("set "):
            run.append(l)
            stdin = "\n".join(["sleep"] + lines[j + 1:]) + "\n"
            break
        run.append(l)
    cmds = []
    for l in run:
        parts = [p.strip() for p in l.split("&&")]
        parts = [p for p in parts if not p.startswith(("scripts/install-deps.sh", "scripts/test.sh"))]
        if parts:
            cmds.append(" && ".join(parts))
    if not cmds:
        continue
    script = "\n".join(exports + cmds)
    exports += [c for c in cmds if c.startswith("export ")]
    script = script.replace("v4l2src", "videotestsrc num-buffers=3").replace("autovideosink", "fakesink")
    name = "block %d: %s" % (i, cmds[0][:70])
    if "../shared" in script and not os.path.isdir(shared):
        print("SKIP %s (../shared/weights not found)" % name)
        continue
    feed = None
    if stdin:
        # the commands are typed once the pipeline plays; quit ends it
        feed = "\n".join(l for l in stdin.splitlines() if l != "sleep")
        head, _, last = script.rpartition("\n")
        script = head + "\n{ sleep 2; cat <<'EOF'\n%s\nEOF\n} | %s" % (feed, last)
        # a 3-frame source would end before the commands: let the camera run until quit
        script = script.replace("videotestsrc num-buffers=3", "videotestsrc is-live=true")
    r = subprocess.run(["sh", "-ec", script], cwd=repo, env=env, capture_output=True,
                       text=True, timeout=600)
    out = r.stdout + r.stderr
    bad = r.returncode != 0 or (stdin and "error:" in r.stdout)
    print(("FAIL " if bad else "PASS ") + name)
    if bad:
        fail = 1
        print("\n".join(out.splitlines()[-15:]))
subprocess.run(["rm", "-rf", tmp])
sys.exit(fail)
