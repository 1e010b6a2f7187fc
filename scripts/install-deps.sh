#!/bin/sh
# The one list of Debian packages artem needs to build, test and run its tools.
# Used by README.md's commands and by .ci/run.  The last lines are for the pipeline
# tests with real peers (tests/pipelines/peers.sh): watchdog (plugins-bad), H.264 encode
# and decode (ugly, libav), an RTSP server (GstRtspServer through python3-gi) and Xvfb
# with X clients for ximagesrc.
set -e
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential pkg-config meson ninja-build valgrind \
  libglib2.0-dev \
  libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata \
  libopenblas-dev libdnnl-dev \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools \
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  python3-torch python3-onnx python3-numpy python3-opencv opencv-doc mate-backgrounds \
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav \
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 \
  xvfb x11-utils x11-apps
