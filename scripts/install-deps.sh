#!/bin/sh
# The one list of Debian packages artem needs to build, test and run its tools.
# Used by README.md's commands and by .ci/run.
set -e
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential pkg-config meson ninja-build valgrind \
  libglib2.0-dev \
  libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata \
  libopenblas-dev \
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools \
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  python3-torch python3-onnx python3-numpy python3-opencv opencv-doc mate-backgrounds
