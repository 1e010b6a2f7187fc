#!/usr/bin/python3
"""artemstylize end to end in GStreamer against the engine alone (artem-bench), CPU,
interleaved rounds.  The element's ms per frame is the difference of two gst-launch-1.0
runs (N and 4N frames from videotestsrc, RGBx, into fakesink sync=false), so start-up
(plugin scan, model load, sizing) cancels out.  The same pair of runs without the element
(videotestsrc -> fakesink) gives what the source and sink cost a frame: the source draws
its frames on the same two cores between the element's frames, which the engine's loop
does not.  Prints the medians over rounds, frames per second, and the element's overhead
over the engine, with and without the source's share.  The engine's figure is the mean
of artem-bench's frames, as the element's is a mean (its median is printed beside it).
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


def launch(frames, element=True):
    art = ["artemstylize", "device=cpu", "precision=%s" % precision, "model-location=%s" % model] + \
        os.environ.get("ELEMENT_PROPS", "").split() + ["!"]
    cmd = ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=%d" % frames, "pattern=ball", "!",
           "video/x-raw,format=RGBx,width=%d,height=%d,framerate=1000/1" % (w, h), "!"] + \
        (art if element else []) + ["fakesink", "sync=false"]
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
    return statistics.mean(ms), statistics.median(ms), prec


el, en, enm, src = [], [], [], []
for r in range(rounds):
    t_short, t_long = launch(n), launch(4 * n)
    el.append((t_long - t_short) * 1000 / (3 * n))
    s_short, s_long = launch(n, False), launch(4 * n, False)
    src.append(max(0.0, (s_long - s_short) * 1000 / (3 * n)))
    mean, med, prec = engine()
    en.append(mean)
    enm.append(med)
    print("round %d: element %.1f ms, source and sink %.2f ms, engine %.1f ms (median %.1f)" % (
        r + 1, el[-1], src[-1], en[-1], enm[-1]), file=sys.stderr)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
e, g, sc = statistics.median(el), statistics.median(en), statistics.median(src)
print("# machine: %d cores, %s; model %s at %s, precision %s (%s), element properties '%s', %d rounds" % (
    os.cpu_count(), cpu, os.path.basename(model), size, precision, prec,
    os.environ.get("ELEMENT_PROPS", ""), rounds))
print("element (gst-launch, videotestsrc RGBx -> artemstylize -> fakesink): %.1f ms/frame = %.1f fps" % (e, 1000 / e))
print("source and sink alone (videotestsrc -> fakesink):                  %.2f ms/frame" % sc)
print("engine alone (artem-bench, 8-bit frames in and out), mean:         %.1f ms/frame = %.1f fps (median %.1f)" % (
    g, 1000 / g, statistics.median(enm)))
print("element / engine: %.3f; without the source's share: %.3f" % (e / g, (e - sc) / g))
