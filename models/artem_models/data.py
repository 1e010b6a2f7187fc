"""Training pictures from Debian packages: random crops of photos and desktop backgrounds,
named here by package (install them with scripts/install-train-deps.sh):
  opencv-doc                 examples/data/*.jpg (photos; test charts excluded below)
  mate-backgrounds           /usr/share/backgrounds/mate/{nature,desktop}
  gnome-backgrounds          /usr/share/backgrounds/gnome (raster ones)
  ukui-wallpapers, lomiri-wallpapers   /usr/share/backgrounds/*
  plasma-workspace-wallpapers          /usr/share/wallpapers/*/contents/images (one size each)
Style pictures are opencv-doc's starry_night.jpg and mate-backgrounds' abstract paintings
(excluded from the content set).  The evaluation videos (opencv-doc's *.avi) are never
training data."""
import glob
import os
import random
import sys

import cv2
import numpy as np
import torch

CONTENT_GLOBS = ["/usr/share/doc/opencv-doc/examples/data/*.jpg",
                 "/usr/share/backgrounds/mate/nature/*.jpg",
                 "/usr/share/backgrounds/mate/desktop/*.jpg",
                 "/usr/share/backgrounds/mate/desktop/*.png",
                 "/usr/share/backgrounds/gnome/*.jpg",
                 "/usr/share/backgrounds/gnome/*.png",
                 "/usr/share/backgrounds/gnome/*.webp",
                 "/usr/share/backgrounds/*.jpg",
                 "/usr/share/backgrounds/*.png"]
# plasma-workspace-wallpapers: each picture in several sizes; the one nearest 1920 wide
PLASMA = "/usr/share/wallpapers/*/contents/images"
EXCLUDE = ("starry_night", "left", "right", "aloe", "Blender", "box", "chessboard", "graf",
           "HappyFish", "LinuxLogo", "WindowsLogo", "apple", "ela_", "imageText", "notes",
           "pca_test", "digits", "alphabet", "ml.png", "gradient", "text", "licenseplate", "pic",
           "Elephants", "Flow.png", "Gulp.png", "Autumn")


def _plasma_pick(folder):
    def width(f):
        try:
            return int(os.path.basename(f).split("x")[0])
        except ValueError:
            return 0
    files = [f for f in glob.glob(os.path.join(folder, "*")) if width(f) > 0]
    return min(files, key=lambda f: abs(width(f) - 1920)) if files else None


def content_files():
    files = []
    for g in CONTENT_GLOBS:
        files += [f for f in glob.glob(g) if not any(e in f for e in EXCLUDE)]
    for d in glob.glob(PLASMA):
        f = _plasma_pick(d)
        if f:
            files.append(f)
    files = sorted(set(files))
    if len(files) < 100:   # all the packages above give 115 (2026-12)
        print("warning: only %d content pictures; the shipped models saw 115: install "
              "scripts/install-train-deps.sh's packages" % len(files), file=sys.stderr)
    return files


class Crops:
    """Random square crops (resized to `size`) as float RGB tensors in 0..1.  borders:
    {file name: crop} cut off those pictures first (parse_crop: a scan's border)."""

    def __init__(self, files, size, seed=0, borders=None):
        self.rng = random.Random(seed)
        self.size = size
        self.images = []
        for f in files:
            im = cv2.imread(f)
            b = (borders or {}).get(os.path.basename(f), 0)
            if im is not None and b:
                im = cut(im, b)
            if im is None or min(im.shape[:2]) < 64:
                continue
            s = 512.0 / min(im.shape[:2])   # keep memory small
            if s < 1:
                im = cv2.resize(im, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            self.images.append(im[:, :, ::-1].copy())
        if not self.images:
            raise RuntimeError("no training pictures: install opencv-doc and mate-backgrounds")

    def batch(self, n):
        out = []
        for _ in range(n):
            for _ in range(20):   # flat crops (a plain sky, a solid background) teach nothing
                im = self.rng.choice(self.images)
                h, w = im.shape[:2]
                c = self.rng.randint(min(h, w) // 2, min(h, w))
                y, x = self.rng.randint(0, h - c), self.rng.randint(0, w - c)
                crop = cv2.resize(im[y:y + c, x:x + c], (self.size, self.size), interpolation=cv2.INTER_AREA)
                if crop.std() >= 6:
                    break
            if self.rng.random() < 0.5:
                crop = crop[:, ::-1]
            out.append(torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1).float() / 255)
        return torch.stack(out)


def parse_crop(crop):
    """A picture's cut as (top, bottom, left, right) pixels, from an int or "N" (N off each
    side: a scan's border) or "T,B,L,R" (e.g. the car in front of opencv-doc's graf1.png)."""
    if isinstance(crop, (tuple, list)):
        return tuple(int(v) for v in crop)
    v = [int(x) for x in str(crop or 0).split(",")]
    if len(v) == 1:
        return (v[0],) * 4
    if len(v) != 4 or min(v) < 0:
        raise ValueError("a crop is N or T,B,L,R pixels, not %r" % (crop,))
    return tuple(v)


def cut(im, crop):
    """`im` (H, W, C) with parse_crop(crop) pixels cut off its sides."""
    t, b, l, r = parse_crop(crop)
    return im[t:im.shape[0] - b, l:im.shape[1] - r]


def load_rgb(path, max_side, crop=0):
    """RGB 0..1 tensor (1, 3, H, W) of the picture at `path`, `crop` (parse_crop) cut off its
    sides first (a scanned painting's black border and mat line), scaled down to `max_side`."""
    im = cv2.imread(path)
    if im is None:
        raise FileNotFoundError(path)
    im = cut(im, crop)
    s = max_side / max(im.shape[:2])
    if s < 1:
        im = cv2.resize(im, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return torch.from_numpy(im[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255
