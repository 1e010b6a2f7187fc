#!/bin/sh
# Webcam to screen. Needs: a V4L2 camera (/dev/video0 or DEVICE) and a display.
# usage: pipelines/webcam.sh [--test] [DEVICE]
. "$(dirname "$0")/common.sh"
sink=${ARTEM_SINK:-autovideosink sync=false}
if [ $TEST = 1 ]; then
  # shellcheck disable=SC2086
  run $TEST_SRC ! video/x-raw,width=320,height=240 ! videoconvert ! \
    artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! ${ARTEM_SINK:-fakesink}
fi
# shellcheck disable=SC2086
run ${ARTEM_SOURCE:-v4l2src device=${1:-/dev/video0}} ! videoconvert ! videoscale ! \
  video/x-raw,width=640,height=480 ! queue max-size-buffers=1 leaky=downstream ! \
  artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! $sink
