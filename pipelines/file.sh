#!/bin/sh
# File to file: decodes any video GStreamer can read, stylizes every frame (no frame is
# dropped: not live), encodes VP8 into WebM.  Needs: nothing but the files.
# usage: pipelines/file.sh [--test] INPUT OUTPUT.webm
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  out=${1:-$(mktemp -d)/artem-test.webm}
  run "$TEST_SRC ! video/x-raw,width=160,height=120,framerate=10/1 ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! vp8enc deadline=1 ! webmmux ! filesink location=$out"
fi
run "filesrc location=${1:?input video} ! decodebin ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! vp8enc deadline=1 cpu-used=8 ! webmmux ! filesink location=${2:?output .webm}"
