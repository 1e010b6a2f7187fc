#!/usr/bin/python3
"""What users see, for a list of style networks, in one run, every network run by artem's
GStreamer elements (gst-launch-1.0, default settings unless the spec adds properties, so
run-time features such as `stabilize` count):

- content loss to the photo (ImageNet VGG-19 relu2_2, relative squared error) and Gram
  style loss to the style picture (relu1_2, relu2_2, relu3_3, relative), averaged over
  opencv-doc photos at 256 px (needs ../shared/weights/vgg19-imagenet; --no-losses skips);
- frame: the worst excess (levels) of the output's contrast between the outer 3-pixel
  band and the band 12..24 pixels in over the photo's own, over the photos' 4 sides and 3
  channels (a frame drawn around the picture; 0 when the output's borders are set apart
  no more than the photo's); frame mean: the photos' mean of their worst side; frame
  luma: the worst side on luma (a frame is dark or light in all channels; a colour
  changed at the border is not a frame);
- on each video (opencv-doc clips decoded by GStreamer, scaled to --size): the temporal
  error ratio, the output's flow-warped temporal error over the input's (Lai et al. 2018;
  OpenCV DIS flow of the input, occlusions masked: models/artem_models/video_metrics.py),
  the mean absolute change from the input (how strongly it stylizes) and, for networks
  run with stabilisation on, the stale fraction (% of pixels where the low-passed output
  is over 12 levels from the same network's with stabilize=0: trails, ghosts);
- --sheet: a contact sheet (photos x networks), --strip: consecutive frames of the first
  video (input and each network), PNG.

usage: evaluate.py BUILD_DIR [options] SPEC ...
  SPEC: NAME:ff:MODEL.onnx:STYLE_PICTURE[:PROP=VALUE ...]          (artemstylize)
        NAME:adain:MODEL.onnx:STYLE_PICTURE[:ALPHA][:PROP=VALUE ...] (artemadain)
  STYLE_PICTURE may be '-' for a feed-forward network whose style picture is unknown
  (style loss not computed); PROP=VALUE are element properties, e.g. stabilize=0, except
  style-crop=N or T,B,L,R: the style loss takes the style picture with N pixels cut off each
  side, or T, B, L, R off the top, bottom, left, right (as train_style.py --style-crop;
  starry_night.jpg's border and mat line: 22; graf1.png's car: 0,170,0,0).
Prints a Markdown table."""
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from artem_models import video_metrics as vm  # noqa: E402

PHOTOS = ["fruits", "baboon", "building", "home", "messi5"]
DATA = "/usr/share/doc/opencv-doc/examples/data/"
STYLE_LAYERS = ["relu1_2", "relu2_2", "relu3_3"]


class Spec:
    def __init__(self, text):
        parts = text.split(":")
        if len(parts) < 4 or parts[1] not in ("ff", "adain"):
            sys.exit("bad spec %r: NAME:ff|adain:MODEL:STYLE[:ALPHA][:PROP=VALUE...]" % text)
        self.name, self.kind, self.model, self.style = parts[:4]
        self.alpha, self.props, self.style_crop = 1.0, [], 0
        for p in parts[4:]:
            if p.startswith("style-crop="):   # ours, not the element's: see the usage
                self.style_crop = p.split("=", 1)[1]
            elif "=" in p:
                self.props.append(p)
            else:
                self.alpha = float(p)

    def stabilized(self):
        return not any(p.startswith("stabilize=") and float(p.split("=")[1]) == 0 for p in self.props)

    def unstabilized(self):
        """The same network with stabilize=0 (for the stale fraction)."""
        t = Spec.__new__(Spec)
        t.__dict__.update(self.__dict__)
        t.props = [p for p in self.props if not p.startswith("stabilize=")] + ["stabilize=0"]
        return t

    def element(self):
        if self.kind == "ff":
            return ["artemstylize", "model-location=" + self.model] + self.props
        return ["artemadain", "model-location=" + self.model, "style-location=" + self.style,
                "style-size=256", "alpha=%g" % self.alpha] + self.props

    def label(self):
        k = "feed-forward" if self.kind == "ff" else "AdaIN, alpha %g" % self.alpha
        return k + ("" if not self.props else ", " + " ".join(self.props))


def gst(args, env):
    r = subprocess.run(["gst-launch-1.0", "-q"] + args, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=3600)
    if r.returncode != 0:
        sys.exit("gst-launch-1.0 %s failed:\n%s" % (" ".join(args), r.stderr))


def read_raw(path, w, h):
    a = np.fromfile(path, np.uint8)
    n = a.size // (w * h * 3)
    return list(a[:n * w * h * 3].reshape(n, h, w, 3))


def decode_video(path, w, h, frames, out, env):
    gst(["filesrc", "location=" + path, "!", "decodebin", "!", "videoconvert", "!", "videoscale", "!",
         "video/x-raw,format=RGB,width=%d,height=%d,pixel-aspect-ratio=1/1" % (w, h), "!",
         "identity", "eos-after=%d" % frames, "!", "filesink", "location=" + out], env)
    # identity's eos-after does not always stop the demuxer (vtest.avi gave 48 frames on
    # one run and all 738 on another, Megamind.avi 49 or 51): keep exactly the first ones
    # (the element runs read this file: it is cut to them too)
    raw = np.fromfile(out, np.uint8)[:frames * w * h * 3]
    raw.tofile(out)
    return read_raw(out, w, h)


def run_video(spec, src_raw, w, h, n, out, env):
    """The decoded frames through the element as one stream (timestamps at 25 fps)."""
    gst(["filesrc", "location=" + src_raw, "blocksize=%d" % (w * h * 3), "!", "rawvideoparse",
         "width=%d" % w, "height=%d" % h, "format=rgb", "framerate=25/1", "!"] + spec.element() +
        ["!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "filesink", "location=" + out], env)
    frames = read_raw(out, w, h)
    if len(frames) != n:
        sys.exit("%s: %d frames in, %d out" % (spec.name, n, len(frames)))
    return frames


def run_photo(spec, rgb, tmp, env):
    src, dst = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
    cv2.imwrite(src, rgb[:, :, ::-1])
    gst(["filesrc", "location=" + src, "!", "pngdec", "!", "videoconvert", "!", "video/x-raw,format=RGB", "!"] +
        spec.element() + ["!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + dst], env)
    return cv2.imread(dst)[:, :, ::-1]


def photo(name, side=256):
    img = cv2.imread(DATA + name + ".jpg")
    if img is None:
        sys.exit("missing %s%s.jpg (Debian package opencv-doc)" % (DATA, name))
    f = float(side) / max(img.shape[:2])
    img = cv2.resize(img, (round(img.shape[1] * f) // 4 * 4, round(img.shape[0] * f) // 4 * 4),
                     interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(img[:, :, ::-1])


def labelled(img, text, width):
    bar = np.full((22, width, 3), 255, np.uint8)
    cv2.putText(bar, text[:int(width / 7.5)], (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([bar, img]) if img is not None else bar


def grid(rows, names, cell_w):
    """rows: lists of RGB pictures; names: column titles."""
    cols = []
    for j, title in enumerate(names):
        cells = []
        for r in rows:
            im = r[j]
            hh = round(im.shape[0] * cell_w / im.shape[1])
            cells.append(cv2.resize(im, (cell_w, hh), interpolation=cv2.INTER_AREA))
            cells.append(np.full((4, cell_w, 3), 255, np.uint8))
        cols.append(labelled(np.vstack(cells), title, cell_w))
        cols.append(np.full((cols[-1].shape[0], 4, 3), 255, np.uint8))
    return np.hstack(cols)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--videos", default="vtest.avi,Megamind.avi",
                    help="opencv-doc clips (comma-separated names or paths; empty: none)")
    ap.add_argument("--frames", type=int, default=150,
                    help="frames per video (150: Megamind.avi's first 48 frames hold little motion and "
                         "flatter the networks: default-adain's ratio there was 0.97, over 150 frames 1.58)")
    ap.add_argument("--size", default="384x288")
    ap.add_argument("--photos", default=",".join(PHOTOS))
    ap.add_argument("--no-losses", action="store_true", help="skip the VGG losses (no torch needed)")
    ap.add_argument("--sheet", help="write a contact sheet PNG here")
    ap.add_argument("--strip", help="write a frame strip PNG (first video) here")
    ap.add_argument("--strip-start", type=int, default=20)
    ap.add_argument("--strip-frames", type=int, default=6)
    ap.add_argument("--show", help="networks (names, '|'-separated) in the sheet and strip (default: all)")
    a = ap.parse_args()
    specs = [Spec(s) for s in a.specs]
    w, h = (int(v) for v in a.size.split("x"))
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(a.build, "gst"))
    env.setdefault("ARTEM_MODELDIR", os.path.join(here, "default"))
    tmp = tempfile.mkdtemp(prefix="artem-eval-")

    photos = {p: photo(p) for p in a.photos.split(",") if p}
    outs = {s.name: {p: run_photo(s, img, tmp, env) for p, img in photos.items()} for s in specs}
    res = {}
    for s in specs:
        fe = [vm.frame_excess(photos[p], o) for p, o in outs[s.name].items()]
        fl = [vm.frame_excess(photos[p], o, luma_only=True) for p, o in outs[s.name].items()]
        res[s.name] = {"frame": "%.1f" % max(fe), "frame mean": "%.1f" % np.mean(fe),
                       "frame luma": "%.1f" % max(fl)}

    if not a.no_losses:
        import torch
        from artem_models.data import load_rgb
        from artem_models.vgg_loss import VGGLoss, gram
        vgg = VGGLoss(os.path.join(here, "..", "..", "shared", "weights", "vgg19-imagenet")).eval()
        t = lambda rgb: torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None].float() / 255
        for s in specs:
            with torch.no_grad():
                sg = None
                if s.style != "-":
                    sf = vgg(load_rgb(s.style, 256, s.style_crop), STYLE_LAYERS)
                    sg = {k: gram(v) for k, v in sf.items()}
                cl, sl = [], []
                for p, img in photos.items():
                    fo = vgg(t(outs[s.name][p]), STYLE_LAYERS)
                    fc = vgg(t(img), ["relu2_2"])["relu2_2"]
                    cl.append(((fo["relu2_2"] - fc) ** 2).mean().item() / (fc ** 2).mean().item())
                    if sg:
                        sl.append(sum(((gram(fo[k]) - sg[k]) ** 2).mean().item() / (sg[k] ** 2).mean().item()
                                      for k in STYLE_LAYERS))
            res[s.name]["content"] = "%.3f" % np.mean(cl)
            res[s.name]["style"] = "%.3f" % np.mean(sl) if sl else "n/a"

    videos = [v for v in a.videos.split(",") if v]
    strip_rows = None
    for vi, v in enumerate(videos):
        path = v if os.path.exists(v) else DATA + v
        src = os.path.join(tmp, "video.rgb")
        inputs = decode_video(path, w, h, a.frames, src, env)
        if len(inputs) < 2:
            sys.exit("%s: fewer than 2 frames decoded" % path)
        outputs = [run_video(s, src, w, h, len(inputs), os.path.join(tmp, "out.rgb"), env) for s in specs]
        e_in, e_out, kept = vm.temporal_errors(inputs, outputs)
        short = os.path.basename(path)
        print("%s: %d frames at %dx%d, input warped error %.5f, %.0f %% of pixels kept by the occlusion mask"
              % (short, len(inputs), w, h, e_in, 100 * kept), file=sys.stderr)
        for s, e, o in zip(specs, e_out, outputs):
            res[s.name]["ratio " + short] = "%.2f" % (e / max(e_in, 1e-12))
            res[s.name]["change " + short] = "%.0f" % vm.mean_change(inputs, o)
            if s.stabilized():
                fresh = run_video(s.unstabilized(), src, w, h, len(inputs), os.path.join(tmp, "out.rgb"), env)
                res[s.name]["stale " + short] = "%.1f %%" % (100 * vm.stale_fraction(o, fresh))
        if vi == 0 and a.strip:
            k0 = min(a.strip_start, len(inputs) - a.strip_frames)
            sel = range(max(k0, 0), min(max(k0, 0) + a.strip_frames, len(inputs)))
            strip_rows = [[inputs[k] for k in sel]] + [[o[k] for k in sel] for s, o in zip(specs, outputs)
                                                       if not a.show or s.name in a.show.split("|")]
            strip_names = ["input"] + [s.name for s in specs if not a.show or s.name in a.show.split("|")]
            strip_title = "%s frames %d-%d" % (short, sel[0], sel[-1])

    cols = ["frame", "frame mean", "frame luma"]
    if not a.no_losses:
        cols = ["content loss", "style loss"] + cols
    for v in videos:
        b = os.path.basename(v)
        cols += ["ratio " + b, "change " + b, "stale " + b]
    print("| network | runs as | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    print("| input | - | " + " | ".join("0" if c.startswith("frame") else
                                        "1.00" if c.startswith("ratio") else "-" for c in cols) + " |")
    for s in specs:
        print("| %s | %s | %s |" % (s.name, s.label(), " | ".join(
            res[s.name].get(c.replace(" loss", ""), "-") for c in cols)))

    shown = [s for s in specs if not a.show or s.name in a.show.split("|")]
    if a.sheet:
        rows = [[img] + [outs[s.name][p] for s in shown] for p, img in photos.items()]
        cv2.imwrite(a.sheet, grid(rows, ["photo"] + [s.name for s in shown], 220 if len(shown) < 6 else 160)[:, :, ::-1])
        print("wrote %s" % a.sheet, file=sys.stderr)
    if a.strip and strip_rows:
        # networks down, time across
        names = strip_names
        rows = [list(r) for r in strip_rows]
        img = np.vstack([labelled(np.hstack([cv2.resize(f, (192, round(192 * h / w)), interpolation=cv2.INTER_AREA)
                                             for f in r]), nm + " (" + strip_title + ")", 192 * len(r))
                         for nm, r in zip(names, rows)])
        cv2.imwrite(a.strip, img[:, :, ::-1])
        print("wrote %s" % a.strip, file=sys.stderr)


if __name__ == "__main__":
    main()
