#!/usr/bin/python3
"""The training pictures of models/artem_models/data.py:
- its Qt resource (rcc) reader on files written here in the format's versions 1 and 2
  (a directory tree, a zlib-compressed entry and a plain one, a zstd one skipped), the
  layout of Qt's rcc tool (qtbase src/tools/rcc/rcc.cpp: "qres", version, tree, data and
  names offsets; 14- or 22-byte tree nodes; a data entry is its length then its bytes, a
  compressed one the uncompressed length then a zlib stream);
- where gcompris-qt-data is installed (scripts/install-train-deps.sh), the real GCompris
  photos: at least 100 of at least 256 px, kingfisher.webp 1920x1080, all decodable.
SKIPs (77) without OpenCV or PyTorch."""
import os
import struct
import sys
import tempfile
import zlib

try:
    import cv2
    import numpy as np
    import torch  # noqa: F401  (data.py's crops are tensors)
except ImportError as e:
    print("SKIP: %s (scripts/install-deps.sh installs python3-opencv and python3-torch)" % e)
    sys.exit(77)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from artem_models import data  # noqa: E402

fails = 0


def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += not ok


def write_rcc(path, version, tree):
    """tree: {name: bytes | (flag, bytes) | {subtree}}; flag 1 zlib, 4 zstd (as stored)"""
    names, data_, nodes = bytearray(), bytearray(), []
    name_off = {}

    def name(n):
        if n not in name_off:
            name_off[n] = len(names)
            names.extend(struct.pack(">HI", len(n), 0) + n.encode("utf-16-be"))
        return name_off[n]
    # breadth-first, as rcc lays it out: a directory's children are consecutive nodes
    nodes.append(["", tree])
    i = 0
    out = []
    while i < len(nodes):
        nm, v = nodes[i]
        if isinstance(v, dict):
            first = len(nodes)
            for k in sorted(v):
                nodes.append([k, v[k]])
            out.append(struct.pack(">IHII", name(nm) if i else 0, 2, len(v), first))
        else:
            flag, blob = v if isinstance(v, tuple) else (0, v)
            if flag == 1:
                blob = struct.pack(">I", len(blob)) + zlib.compress(blob)
            off = len(data_)
            data_.extend(struct.pack(">I", len(blob)) + blob)
            out.append(struct.pack(">IHHHI", name(nm), flag, 0, 0, off))
        if version >= 2:
            out[-1] += b"\0" * 8
        i += 1
    head = 20 if version < 3 else 24
    tree_b = b"".join(out)
    t_off, d_off = head, head + len(tree_b)
    n_off = d_off + len(data_)
    hdr = b"qres" + struct.pack(">IIII", version, t_off, d_off, n_off)
    if version >= 3:
        hdr += struct.pack(">I", 0)
    with open(path, "wb") as f:
        f.write(hdr + tree_b + bytes(data_) + bytes(names))


png = cv2.imencode(".png", np.full((300, 400, 3), (10, 200, 30), np.uint8))[1].tobytes()
jpg = cv2.imencode(".jpg", np.full((280, 260, 3), 128, np.uint8))[1].tobytes()
with tempfile.TemporaryDirectory() as d:
    for version in (1, 2, 3):
        p = os.path.join(d, "t%d.rcc" % version)
        write_rcc(p, version, {"gcompris": {"a": {"big.png": png, "z.jpg": (1, jpg),
                                                  "skip.png": (4, b"zstd")},
                                            "qmldir": b"module x"}})
        e = data.rcc_entries(p)
        check(sorted(e) == ["/gcompris/a/big.png", "/gcompris/a/z.jpg", "/gcompris/qmldir"],
              "rcc v%d: the tree's files, the zstd one skipped: %s" % (version, sorted(e)))
        check(e.get("/gcompris/a/big.png") == png, "rcc v%d: a plain entry's bytes" % version)
        check(e.get("/gcompris/a/z.jpg") == jpg, "rcc v%d: a zlib entry, uncompressed" % version)
        im = data.read_picture(data.RCC_PREFIX + p + ":/gcompris/a/z.jpg")
        check(im is not None and im.shape == (280, 260, 3),
              "rcc v%d: read_picture decodes an rcc: name" % version)
    bad = os.path.join(d, "bad.rcc")
    open(bad, "wb").write(b"PK\3\4 not a resource file")
    try:
        data.rcc_entries(bad)
        check(False, "a file that is not rcc is refused")
    except ValueError:
        check(True, "a file that is not rcc is refused")

if os.path.isdir(data.GCOMPRIS_RCC):
    pics = data.gcompris_pictures()
    check(len(pics) >= 100, "gcompris-qt-data: %d photos of at least 256 px" % len(pics))
    king = [p for p in pics if p.endswith("/kingfisher.webp")]
    im = data.read_picture(king[0]) if king else None
    check(im is not None and im.shape[:2] == (1080, 1920), "kingfisher.webp is 1920x1080")
    check(all(data.read_picture(p) is not None for p in pics), "every one decodes")
else:
    print("(gcompris-qt-data is not installed: scripts/install-train-deps.sh; its photos "
          "not checked)")
sys.exit(1 if fails else 0)
