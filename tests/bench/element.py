#!/usr/bin/python3
"""artemstylize end to end in GStreamer against the engine alone (artem-bench), CPU,
interleaved rounds.  The element's ms per frame is the difference of two gst-launch-1.0
runs (N and 4N frames from videotestsrc, RGBx, into fakesink sync=false), so start-up
(plugin scan, model load, sizing) cancels out.  Prints the medians over rounds, frames per
second, and the element's overhead over the engine.
$ELEMENT_PROPS adds element properties ("margin=0 stabilize=0": the engine's work only;
the element's defaults mirror a 16-pixel margin and stabilise, which artem-bench does not).
usage: element.py BUILD_DIR MODEL WxH ROUNDS N [PRECISION]"""
import os
import re
import statistics
import subprocess
import sys
import time

build, model, size, rounds, n = sys.argv[1:6]
precision = sys.argv[6] if len(sys.argv) > 6 else "auto"
rounds, n = int(rounds), int(n)
w, h = map(int, size.split("x"))
env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(build, "gst"), OMP_NUM_THREADS="2")
env.pop("ARTEM_PRECISION", None)


def launch(frames):
    cmd = ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=%d" % frames, "pattern=ball", "!",
           "video/x-raw,format=RGBx,width=%d,height=%d,framerate=1000/1" % (w, h), "!",
           "artemstylize", "device=cpu", "precision=%s" % precision, "model-location=%s" % model] + \
        os.environ.get("ELEMENT_PROPS", "").split() + ["!", "fakesink", "sync=false"]
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, timeout=900, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def engine():
    out = subprocess.run([os.path.join(build, "gpu", "artem-bench"), model, "--backend", "cpu",
                          "--size", size, "--frames", str(3 * n)] +
                         ([] if precision == "auto" else ["--precision", precision]),
                         env=env, check=True, capture_output=True, text=True).stdout
    ms = [float(v) for v in re.search(r"frame_ms=(\S+)", out).group(1).split(",")]
    prec = re.search(r"precision=(\S+)", out).group(1)
    return statistics.median(ms), prec


el, en = [], []
for r in range(rounds):
    t_short, t_long = launch(n), launch(4 * n)
    el.append((t_long - t_short) * 1000 / (3 * n))
    ms, prec = engine()
    en.append(ms)
    print("round %d: element %.1f ms, engine %.1f ms" % (r + 1, el[-1], en[-1]), file=sys.stderr)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
e, g = statistics.median(el), statistics.median(en)
print("# machine: %d cores, %s; model %s at %s, precision %s (%s), element properties '%s', %d rounds" % (
    os.cpu_count(), cpu, os.path.basename(model), size, precision, prec,
    os.environ.get("ELEMENT_PROPS", ""), rounds))
print("element (gst-launch, videotestsrc RGBx -> artemstylize -> fakesink): %.1f ms/frame = %.1f fps" % (e, 1000 / e))
print("engine alone (artem-bench, 8-bit frames in and out):               %.1f ms/frame = %.1f fps" % (g, 1000 / g))
print("element / engine: %.3f" % (e / g))
