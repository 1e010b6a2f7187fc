#!/bin/sh
# Converts the cd-vgg19-16x relu4_1 pair (../shared/weights) into an AdaIN model and its
# plain reconstruction model, then runs the artemadain GstHarness tests on them.
# Without the weights or Debian's python3-torch the tests run on the shipped
# models/default/default-adain.onnx ($ARTEM_TEST_DEFAULT_ADAIN) instead, and only the
# test that compares with the reference reconstruction is skipped.
# usage: adain.sh TEST OUT_DIR
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
w=$top/../shared/weights/cd-vgg19-16x
why=""
[ -d "$w" ] || why="$w not found"
[ -z "$why" ] && { /usr/bin/python3 -c "import torch, onnx" 2>/dev/null || why="no python3-torch"; }
if [ -n "$why" ]; then
  echo "SKIP: reference reconstruction test ($why); the other tests run on the shipped default AdaIN model"
  ARTEM_TEST_ADAIN_MODEL=${ARTEM_TEST_DEFAULT_ADAIN:?} exec "$1"
fi
mkdir -p "$2"
if [ ! -f "$2/adain-cd41.onnx" ]; then
  /usr/bin/python3 "$top/models/convert.py" adain-cd "$w/encoder-relu4_1.pth" "$w/decoder-relu4_1.pth" "$2/adain-cd41.onnx" >/dev/null 2>&1 &&
  /usr/bin/python3 "$top/models/convert.py" cd-vgg "$w/encoder-relu4_1.pth" "$w/decoder-relu4_1.pth" "$2/cd41" >/dev/null 2>&1 ||
  { echo "FAIL: conversion"; exit 1; }
fi
ARTEM_TEST_ADAIN_MODEL=$2/adain-cd41.onnx ARTEM_TEST_RECONSTRUCT_MODEL=$2/cd41-reconstruct.onnx exec "$1"
