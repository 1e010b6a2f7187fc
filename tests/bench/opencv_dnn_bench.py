#!/usr/bin/python3
"""OpenCV DNN (Debian python3-opencv) as the CPU speed peer: runs an ONNX model at a
frame size and prints ms per frame like artem-bench.
usage: opencv_dnn_bench.py MODEL.onnx WxH FRAMES"""
import sys
import time

import cv2
import numpy as np

model, size, frames = sys.argv[1], sys.argv[2], int(sys.argv[3])
w, h = map(int, size.split("x"))
net = cv2.dnn.readNetFromONNX(model)
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
img = (np.random.default_rng(0).random((h, w, 3)) * 255).astype(np.uint8)
times = []
for i in range(frames + 2):
    t0 = time.perf_counter()
    blob = cv2.dnn.blobFromImage(img, 1.0, (w, h), swapRB=True)
    net.setInput(blob)
    out = net.forward()
    out = np.clip(out[0].transpose(1, 2, 0), 0, 255).astype(np.uint8)
    if i >= 2:
        times.append((time.perf_counter() - t0) * 1000)
mean = sum(times) / len(times)
print("peer=opencv-dnn-%s threads=%d size=%dx%d frames=%d" % (cv2.__version__, cv2.getNumThreads(), w, h, frames))
print("mean_ms=%.2f best_ms=%.2f fps=%.2f" % (mean, min(times), 1000 / mean))
print("frame_ms=" + ",".join("%.3f" % t for t in times))
