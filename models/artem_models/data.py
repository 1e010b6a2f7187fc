"""Training pictures from Debian packages: random crops of photos and desktop backgrounds,
named here by package (install them with scripts/install-train-deps.sh):
  opencv-doc                 examples/data/*.jpg (photos; test charts excluded below)
  mate-backgrounds           /usr/share/backgrounds/mate/{nature,desktop}
  gnome-backgrounds          /usr/share/backgrounds/gnome (raster ones)
  ukui-wallpapers, lomiri-wallpapers   /usr/share/backgrounds/*
  plasma-workspace-wallpapers          /usr/share/wallpapers/*/contents/images (one size each)
  palapeli-data              /usr/share/palapeli/collection/*.jpg (jigsaw photos)
  gcompris-qt-data           the photos inside GCompris's Qt resource files (rcc) of the
                             erase, explore_monuments, explore_world_animals,
                             explore_farm_animals and categorization activities: animals,
                             monuments, landscapes, objects; read in place (gcompris_pictures)
Style pictures are opencv-doc's starry_night.jpg and mate-backgrounds' abstract paintings
(excluded from the content set).  The evaluation videos (opencv-doc's *.avi) are never
training data."""
import glob
import os
import random
import struct
import sys
import zlib

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
                 "/usr/share/backgrounds/*.png",
                 "/usr/share/palapeli/collection/*.jpg"]
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


# GCompris's photo activities (gcompris-qt-data); their pictures at least 256 px a side
GCOMPRIS_RCC = "/usr/share/gcompris-qt/rcc"
GCOMPRIS_ACTIVITIES = ("erase", "explore_monuments", "explore_world_animals",
                       "explore_farm_animals", "categorization")
RCC_PREFIX = "rcc:"   # a content "file" inside a resource file: rcc:FILE.rcc:/inner/path


def rcc_entries(path):
    """{inner path: bytes} of a Qt resource file (the rcc format, versions 1-3: the "qres"
    header, a tree of 14- or 22-byte nodes, zlib-compressed or plain data; zstd data is
    skipped)."""
    b = open(path, "rb").read()
    if b[:4] != b"qres":
        raise ValueError("%s is not a Qt resource file" % path)
    ver, tree, data, names = struct.unpack(">IIII", b[4:20])
    size = 22 if ver >= 2 else 14
    out = {}

    def name(off):
        n, = struct.unpack(">H", b[names + off:names + off + 2])
        return b[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")

    def walk(i, prefix, depth):
        o = tree + i * size
        noff, flags = struct.unpack(">IH", b[o:o + 6])
        nm = name(noff) if i else ""
        path_ = prefix + "/" + nm if nm else prefix
        if flags & 2:   # a directory
            count, first = struct.unpack(">II", b[o + 6:o + 14])
            if depth < 32:
                for k in range(count):
                    walk(first + k, path_, depth + 1)
            return
        doff, = struct.unpack(">I", b[o + 10:o + 14])
        n, = struct.unpack(">I", b[data + doff:data + doff + 4])
        blob = b[data + doff + 4:data + doff + 4 + n]
        if flags & 4:   # zstd
            return
        out[path_] = zlib.decompress(blob[4:]) if flags & 1 else blob
    walk(0, "", 0)
    return out


def gcompris_pictures(min_side=256):
    """The GCompris photos as rcc: names (decoded once to check their size)."""
    files = []
    for a in GCOMPRIS_ACTIVITIES:
        path = os.path.join(GCOMPRIS_RCC, a + ".rcc")
        if not os.path.exists(path):
            continue
        for inner, blob in sorted(rcc_entries(path).items()):
            if not inner.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
                continue
            im = cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_COLOR)
            if im is not None and min(im.shape[:2]) >= min_side:
                files.append(RCC_PREFIX + path + ":" + inner)
    return files


_rcc_cache = {}


def read_picture(f):
    """BGR picture of a file, or of an rcc: name (gcompris_pictures), or None."""
    if not f.startswith(RCC_PREFIX):
        return cv2.imread(f)
    path, inner = f[len(RCC_PREFIX):].split(":", 1)
    if path not in _rcc_cache:
        _rcc_cache.clear()   # one resource file at a time
        _rcc_cache[path] = rcc_entries(path)
    blob = _rcc_cache[path].get(inner)
    return None if blob is None else cv2.imdecode(np.frombuffer(blob, np.uint8),
                                                  cv2.IMREAD_COLOR)


def content_files():
    files = []
    for g in CONTENT_GLOBS:
        files += [f for f in glob.glob(g) if not any(e in f for e in EXCLUDE)]
    for d in glob.glob(PLASMA):
        f = _plasma_pick(d)
        if f:
            files.append(f)
    files = sorted(set(files)) + gcompris_pictures()
    if len(files) < 200:   # all the packages above give 237 (2026-12)
        print("warning: only %d content pictures (all of scripts/install-train-deps.sh's "
              "packages give 237; the models shipped before 2026-12-05 saw 115)" % len(files),
              file=sys.stderr)
    return files


class Crops:
    """Random square crops (resized to `size`) as float RGB tensors in 0..1.  borders:
    {file name: crop} cut off those pictures first (parse_crop: a scan's border)."""

    def __init__(self, files, size, seed=0, borders=None):
        self.rng = random.Random(seed)
        self.size = size
        self.images = []
        for f in files:
            im = read_picture(f)
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
    sides first (a scanned painting's black border and mat line), scaled down to `max_side`.
    `path` may be an rcc: name (a picture inside a Qt resource file: read_picture)."""
    im = read_picture(path)
    if im is None:
        raise FileNotFoundError(path)
    im = cut(im, crop)
    s = max_side / max(im.shape[:2])
    if s < 1:
        im = cv2.resize(im, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return torch.from_numpy(im[:, :, ::-1].copy()).permute(2, 0, 1)[None].float() / 255
