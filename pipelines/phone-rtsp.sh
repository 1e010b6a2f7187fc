#!/bin/sh
# A phone (or any IP camera) over RTSP, e.g. rtsp://PHONE:8554/live.
# Needs: network access to the camera, decoders for its codec, a display.
# usage: pipelines/phone-rtsp.sh [--test] URL
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  run "$TEST_SRC ! video/x-raw,width=320,height=240 ! jpegenc ! decodebin ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! fakesink"
fi
run "rtspsrc location=${1:?rtsp:// URL} latency=100 ! decodebin ! videoconvert ! queue max-size-buffers=1 leaky=downstream ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! autovideosink sync=false"
