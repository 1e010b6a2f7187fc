#!/usr/bin/python3
"""Picture checks for the pipeline tests (OpenCV).
  pngcheck.py size FILE       prints WIDTHxHEIGHT
  pngcheck.py halves FILE     exit 0 when the left and right halves are the same picture
  pngcheck.py differ A B      exit 0 when A and B differ (mean absolute difference > 2)"""
import sys
import cv2

cmd, a = sys.argv[1], cv2.imread(sys.argv[2], cv2.IMREAD_COLOR)
if a is None:
    sys.exit("cannot read " + sys.argv[2])
if cmd == "size":
    print("%dx%d" % (a.shape[1], a.shape[0]))
elif cmd == "halves":
    w = a.shape[1] // 2
    d = cv2.absdiff(a[:, :w], a[:, w:2 * w]).max()
    print("largest left/right difference:", d)
    sys.exit(0 if a.shape[1] % 2 == 0 and d == 0 else 1)
elif cmd == "differ":
    b = cv2.imread(sys.argv[3], cv2.IMREAD_COLOR)
    d = cv2.absdiff(a, b).mean() if b is not None and b.shape == a.shape else 255
    print("mean absolute difference:", d)
    sys.exit(0 if d > 2 else 1)
