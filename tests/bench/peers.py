#!/usr/bin/python3
"""artem's CPU backend against its peers on the same ONNX files, interleaved: every round
runs each peer once (a process each, 2 threads, warm-up frames untimed), so drift and
neighbours' load move all of them alike.  Prints, per model and frame size, the min and
median ms per frame over all rounds, the ratio of each peer's median to artem's, and each
process's peak memory (max RSS).
Peers: artem (artem-bench: fp32 and auto precision, end to end from 8-bit frames),
ONNX Runtime CPU (npm onnxruntime-node), PyTorch fp32 and bf16 (TransformerNet family),
OpenCV DNN.  The peers time the network alone (float input, no 8-bit conversion).
$PEERS (comma list of peer names: artem,onnxruntime,pytorch,opencv) limits the peers.
usage: peers.py BUILD_DIR MODELS(comma list) SIZES(comma list) ROUNDS FRAMES NODE_DIR"""
import json
import os
import statistics
import subprocess
import sys

build, models, sizes, rounds, frames, node_dir = sys.argv[1:7]
rounds, frames = int(rounds), int(frames)
here = os.path.dirname(os.path.abspath(__file__))
env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="1")
env.pop("ARTEM_PRECISION", None)


def run(cmd, extra_env=None):
    """runs one peer process; returns (list of frame ms, peer name, max RSS MiB)"""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(env, **(extra_env or {})))
    out, err = p.communicate(timeout=900)
    # the child's own peak memory (os.wait4 would race communicate(); ru_maxrss of
    # RUSAGE_CHILDREN is the max over children, so read it from /usr/bin/time instead)
    if p.returncode != 0:
        lines = [l for l in err.splitlines() if l.strip() and not l.startswith("maxrss_kb=")]
        errs = [l for l in lines if "error" in l.lower()]
        why = (errs or lines or ["exit %d" % p.returncode])[-1].strip()
        return None, "fails: %s" % why.replace("|", "/")[-160:], 0
    ms, name, rss = None, None, 0
    for line in (out + err).splitlines():
        if line.startswith("frame_ms="):
            ms = [float(v) for v in line[9:].split(",")]
        elif line.startswith("{"):
            d = json.loads(line)
            ms, name = d["ms"], d["peer"]
        elif line.startswith("peer="):
            name = line.split()[0][5:]
        elif line.startswith("model=") and "precision=" in line:
            name = "artem-" + line.split("precision=")[1].split()[0]
        elif line.startswith("maxrss_kb="):
            rss = int(line[10:]) / 1024
    return ms, name, rss


def timed(cmd):
    # GNU time is not always installed: a tiny wrapper reads the child's rusage
    return [sys.executable, "-c",
            "import os,sys,subprocess;p=subprocess.Popen(sys.argv[1:]);"
            "_,st,ru=os.wait4(p.pid,0);print('maxrss_kb=%d'%ru.ru_maxrss,file=sys.stderr);"
            "sys.exit(os.waitstatus_to_exitcode(st))"] + cmd


def is_transformer_net(model):
    import onnx
    names = {i.name for i in onnx.load(model, load_external_data=False).graph.initializer}
    return "conv1.conv2d.weight" in names and "res1.conv1.conv2d.weight" in names


peers = []
for model in models.split(","):
    for size in sizes.split(","):
        cmds = [
            ("artem fp32", timed([os.path.join(build, "gpu", "artem-bench"), model, "--backend", "cpu",
                                  "--size", size, "--frames", str(frames), "--precision", "fp32"])),
            ("artem auto", timed([os.path.join(build, "gpu", "artem-bench"), model, "--backend", "cpu",
                                  "--size", size, "--frames", str(frames)])),
        ]
        if os.path.isdir(os.path.join(node_dir, "node_modules", "onnxruntime-node")):
            cmds.append(("onnxruntime", timed(["node", os.path.join(here, "ort_bench.js"), model, size,
                                               str(frames)])))
        if is_transformer_net(model):
            for prec in ("fp32", "bf16"):
                cmds.append(("pytorch " + prec, timed(["/usr/bin/python3", os.path.join(here, "torch_bench.py"),
                                                       model, size, str(frames), prec])))
        cmds.append(("opencv", timed(["/usr/bin/python3", os.path.join(here, "opencv_dnn_bench.py"), model,
                                      size, str(frames)])))
        wanted = os.environ.get("PEERS")
        if wanted:
            cmds = [c for c in cmds if c[0].split()[0] in wanted.split(",")]
        peers.append((model, size, cmds))

results = {}
for r in range(rounds):
    for model, size, cmds in peers:
        for key, cmd in cmds:
            ms, name, rss = run(cmd, {"NODE_PATH": os.path.join(node_dir, "node_modules")})
            slot = results.setdefault((model, size, key), {"ms": [], "name": name, "rss": 0})
            if ms is None:
                slot["name"] = name
                continue
            slot["ms"] += ms
            slot["name"] = name
            slot["rss"] = max(slot["rss"], rss)
    print("round %d of %d done" % (r + 1, rounds), file=sys.stderr, flush=True)

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
isa = " ".join(f for f in flags if f.startswith(("avx512", "amx")) or f in ("avx2", "fma"))
print("# machine: %d cores, %s; flags: %s" % (os.cpu_count(), cpu, isa))
print("# %d interleaved rounds x %d frames per peer, 2 threads each" % (rounds, frames))
for model, size, cmds in peers:
    base = results[(model, size, "artem fp32")]
    base_med = statistics.median(base["ms"]) if base["ms"] else float("nan")
    print("\n## %s at %s" % (os.path.basename(model), size))
    print("| peer | min ms | median ms | median / artem fp32 | ms per MP (median) | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    w, h = map(int, size.split("x"))
    for key, _ in cmds:
        d = results[(model, size, key)]
        if not d["ms"]:
            print("| %s | %s | | | | |" % (key, d["name"]))
            continue
        med = statistics.median(d["ms"])
        print("| %s (%s) | %.1f | %.1f | %.2f | %.1f | %.0f |" % (
            key, d["name"], min(d["ms"]), med, med / base_med, med / (w * h / 1e6), d["rss"]))
