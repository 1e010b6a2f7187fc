"""Results table of a GPU check run (tests/gpu/run.sh): artem-bench lines from bench.log,
PyTorch's best from torch-peer.json, the targets of the CUDA issue, each network's share
of the fp16 tensor-core peak.

  python3 tests/gpu/table.py OUT_DIR > OUT_DIR/results.md
"""
import json
import os
import re
import sys

PEAK_TFLOPS = 989.0   # H100 SXM dense fp16 tensor-core peak; H200 has the same
TARGETS = {"transformer-net": (250.0, 1.5), "adain-vgg19": (60.0, None)}


def parse_bench(path):
    runs, cur = [], None
    if not os.path.exists(path):
        return runs
    for line in open(path):
        if line.startswith("model="):
            cur = dict(kv.split("=", 1) for kv in line.split())
        elif line.startswith("mean_ms=") and cur is not None:
            cur.update(dict(kv.split("=", 1) for kv in line.split()))
            runs.append(cur)
            cur = None
    return runs


def main():
    out = sys.argv[1]
    runs = parse_bench(os.path.join(out, "bench.log"))
    peer = {}
    pj = os.path.join(out, "torch-peer.json")
    if os.path.exists(pj):
        peer = json.load(open(pj))
    print("# artem GPU check: %s\n" % peer.get("gpu", "?"))
    print("PyTorch %s, cuDNN %s; artem timed end to end (8-bit host frames in and out)."
          % (peer.get("torch", "?"), peer.get("cudnn", "?")))
    print("Peak for the fractions: %.0f TFLOP/s (dense fp16).\n" % PEAK_TFLOPS)
    print("| network | size | backend | precision | mode | artem ms | artem fps | GPU MiB | TFLOP/s | of peak |"
          " artem net-only ms | PyTorch best e2e ms (variant) | PyTorch net-only ms |"
          " artem / PyTorch e2e | target |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        name = os.path.basename(r["model"]).replace(".onnx", "")
        w, h = map(int, r["size"].split("x"))
        ms = float(r["mean_ms"]) if r.get("mode") != "pipelined" else float(r["best_ms"])
        fps = 1000.0 / ms
        net = peer.get("networks", {}).get(name)
        tflops, frac, pcol, pnet, ratio, target = "", "", "", "", "", ""
        if net:
            fl = net["flops_per_pixel"] * w * h
            tflops = "%.0f" % (fl * fps / 1e12)
            frac = "%.1f%%" % (100 * fl * fps / 1e12 / PEAK_TFLOPS)
            ok = {k: v for k, v in net["variants"].items() if "e2e_ms" in v}
            if ok and peer.get("size") == r["size"]:
                best = min(ok, key=lambda k: ok[k]["e2e_ms"])
                bnet = min(v["net_ms"] for v in ok.values())
                pcol = "%.2f (%s)" % (ok[best]["e2e_ms"], best)
                pnet = "%.2f" % bnet
                ratio = "%.2fx" % (ok[best]["e2e_ms"] / ms)
            t = TARGETS.get(name)
            if t and r.get("precision") == "fp16" and r["size"] == "2160x1200":
                met = fps >= t[0] and (t[1] is None or (ratio and float(ratio[:-1]) >= t[1]))
                target = ">= %.0f fps%s: %s" % (t[0], " and >= %.1fx" % t[1] if t[1] else "",
                                                "met" if met else "NOT met")
        mode = r.get("mode", "sync")
        if float(r.get("stabilize", "0")) > 0:   # the elements' frame settings
            mode += ", margin %s, stabilize %s, motion-search %s" % (
                r.get("margin", "0"), r["stabilize"], r.get("motion_search", "0"))
        net_only = r.get("net_only_ms", "-1")
        net_only = net_only if float(net_only) > 0 else ""
        print("| %s | %s | %s | %s | %s | %.2f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, r["size"], r.get("backend", "?"), r.get("precision", "?"), mode, ms, fps,
            r.get("device_memory", "?").replace("MiB", ""), tflops, frac, net_only, pcol, pnet,
            ratio, target))


if __name__ == "__main__":
    main()
