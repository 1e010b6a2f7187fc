#!/bin/sh
# A phone (or any IP camera) over RTSP, e.g. rtsp://PHONE:8554/live (H.264, H.265, VP8,
# MJPEG: whatever decodebin can decode).  Needs: network access to the camera, a display.
# A camera that stops sending for ARTEM_TIMEOUT s (default 5), or a lost connection, is
# reconnected ARTEM_RETRIES times (default 3), each with a message; then it exits 1.
# usage: pipelines/phone-rtsp.sh [--test] URL
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  # shellcheck disable=SC2086
  run $TEST_SRC ! video/x-raw,width=320,height=240 ! jpegenc ! decodebin ! videoconvert ! \
    artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! ${ARTEM_SINK:-fakesink}
fi
url=${1:?usage: $0 [--test] rtsp://HOST:PORT/PATH}
# shellcheck disable=SC2086
run_network "$url" -- rtspsrc "location=$url" latency=100 tcp-timeout=$((TIMEOUT * 1000000)) ! \
  decodebin ! $WATCHDOG ! videoconvert ! queue max-size-buffers=1 leaky=downstream ! \
  artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! \
  ${ARTEM_SINK:-autovideosink sync=false}
