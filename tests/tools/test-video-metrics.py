#!/usr/bin/python3
"""The measures of models/artem_models/video_metrics.py on synthetic cases whose answer is
known (evaluate.py's numbers in doc/ rest on them):
- a textured picture panning 2 px a frame: an output equal to the input, or any fixed
  per-pixel colour map of it, has a temporal error ratio of about 1;
- the same output with fresh noise in every frame (flicker) has a ratio well above 1;
- the occlusion mask keeps most pixels of a pan;
- frame_excess is about 0 for a picture and its colour map, and large when a 3-pixel
  frame is drawn around it;
- the style pictures' crops (N, or T,B,L,R) cut what they say;
- evaluate.py decodes exactly --frames frames of a clip, and the file the element runs
  read holds just those (identity's eos-after let Megamind.avi through at 49 or 51 frames
  and once all 738 of vtest.avi: the clips' numbers varied from run to run).
SKIPs (77) without OpenCV (python3-opencv)."""
import os
import sys

try:
    import cv2  # noqa: F401
    import numpy as np
except ImportError as e:
    print("SKIP: %s (scripts/install-deps.sh installs python3-opencv)" % e)
    sys.exit(77)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import video_metrics as vm  # noqa: E402

fails = 0


def check(ok, what):
    global fails
    print("%s %s" % ("PASS" if ok else "FAIL", what))
    fails += not ok


rng = np.random.default_rng(1)
base = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
base = cv2.GaussianBlur(base, (0, 0), 3)                       # smooth texture: flow can track it
base = cv2.normalize(base, None, 0, 255, cv2.NORM_MINMAX)
big = cv2.resize(base, (320, 240), interpolation=cv2.INTER_CUBIC)
# a pan with a little sensor noise (an exact integer shift would warp to 0 error)
frames = [np.clip(big[40:184, 20 + 2 * t:212 + 2 * t] + rng.normal(0, 2, (144, 192, 3)), 0, 255)
          .astype(np.uint8) for t in range(8)]
colour_map = [(255 * (f / 255.0) ** 0.7).astype(np.uint8)[..., ::-1].copy() for f in frames]
noisy = [np.clip(f.astype(np.int16) + rng.normal(0, 12, f.shape), 0, 255).astype(np.uint8)
         for f in frames]
e_in, (e_same, e_map, e_noisy), kept = vm.temporal_errors(frames, [frames, colour_map, noisy])
check(abs(e_same / e_in - 1) < 1e-6, "output = input: ratio %.3f" % (e_same / e_in))
check(0.7 < e_map / e_in < 1.3, "a fixed colour map of the input: ratio %.2f" % (e_map / e_in))
check(e_noisy / e_in > 2, "fresh noise in every frame: ratio %.2f (> 2)" % (e_noisy / e_in))
check(kept > 0.8, "a 2 px pan keeps %.0f %% of the pixels after the occlusion mask" % (100 * kept))
# warping the previous frame by the flow explains a pan: error far below the unwarped one
flow = vm.Flow()
mx, my, mask = flow.pair(frames[0], frames[1])
h, w = mask.shape
gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
e_warp = vm.warped_error(frames[0], frames[1], mx, my, mask)
e_plain = vm.warped_error(frames[0], frames[1], gx, gy, mask)
check(e_warp < 0.2 * e_plain, "the flow explains the pan: warped error %.5f vs %.5f unwarped"
      % (e_warp, e_plain))

pic = frames[0]
framed = pic.copy()
framed[:3], framed[-3:], framed[:, :3], framed[:, -3:] = 0, 0, 0, 0
check(vm.frame_excess(pic, 255 - pic) < 1e-6, "an inverted picture draws no frame")
check(vm.frame_excess(pic, pic) == 0, "the picture itself draws no frame")
fe = vm.frame_excess(pic, framed)
check(fe > 40, "a black 3-pixel frame is found: %.1f levels" % fe)
fl = vm.frame_excess(pic, framed, luma_only=True)
check(fl > 30, "on luma too: %.1f levels" % fl)
# a dark blue band along the bottom (dark in R and G) painted dark in B as well: a colour
# change at the border, large per channel, small on luma
cloth = np.full((96, 128, 3), 128, np.uint8)
painted = cloth.copy()
cloth[-10:] = (20, 20, 120)
painted[-10:] = (20, 20, 60)
check(vm.frame_excess(cloth, painted) > 40, "per channel, the band's blue change counts: %.1f"
      % vm.frame_excess(cloth, painted))
check(vm.frame_excess(cloth, painted, luma_only=True) < 10, "on luma it is small: %.1f"
      % vm.frame_excess(cloth, painted, luma_only=True))
inv = [255 - f for f in frames]
check(abs(vm.mean_change(frames, inv) - np.mean(np.abs(255 - 2 * np.array(frames, np.float32)))) < 1e-3,
      "mean_change is the mean absolute difference")
# stale fraction: held texture (zero-mean noise against the fresh output) is not stale, a
# glow left behind (a bright 20x20 patch) is, and in proportion to its area
noise_held = [np.clip(f.astype(np.int16) + rng.normal(0, 10, f.shape), 0, 255).astype(np.uint8) for f in frames]
check(vm.stale_fraction(noise_held, frames) < 0.01,
      "held texture noise is not stale: %.3f" % vm.stale_fraction(noise_held, frames))
glowing = [f.copy() for f in frames]
for g in glowing:
    g[10:30, 10:30] = np.clip(g[10:30, 10:30].astype(np.int16) + 60, 0, 255)
sf = vm.stale_fraction(glowing, frames)
area = 400.0 / (frames[0].shape[0] * frames[0].shape[1])
# (the 9x9 box widens the patch by up to 4 px a side where the glow is strong)
check(0.8 * area < sf < (28.0 / 20) ** 2 * area, "a 20x20 glow left behind is stale: %.4f (area %.4f)" % (sf, area))
# the style pictures' crops (data.parse_crop: evaluate.py's style-crop= and the training
# scripts' --style-crop): N off each side, or top, bottom, left, right
try:
    from artem_models import data
except ImportError as e:   # data.py needs PyTorch
    print("SKIP the crop checks: %s" % e)
else:
    check(data.parse_crop("22") == (22, 22, 22, 22) and data.parse_crop(0) == (0, 0, 0, 0),
          "a crop of N cuts N off each side")
    check(data.cut(np.zeros((640, 800, 3)), "0,170,0,10").shape == (470, 790, 3),
          "a crop of T,B,L,R cuts each side its own")
    try:
        data.parse_crop("1,2")
        check(False, "a crop of two numbers is refused")
    except ValueError:
        check(True, "a crop of two numbers is refused")
clip = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
if not os.path.exists(clip):
    print("SKIP the decode check: %s is missing (opencv-doc)" % clip)
else:
    import tempfile
    import evaluate
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "clip.rgb")
        counts = []
        for _ in range(3):
            got = evaluate.decode_video(clip, 96, 72, 48, raw, os.environ)
            counts.append((len(got), os.path.getsize(raw) // (96 * 72 * 3)))
        check(all(c == (48, 48) for c in counts), "48 frames decoded and kept, three times: %s" % counts)
sys.exit(1 if fails else 0)
