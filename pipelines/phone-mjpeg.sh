#!/bin/sh
# A phone as IP camera: MJPEG over HTTP (apps such as "IP Webcam" serve
# http://PHONE:8080/video as multipart/x-mixed-replace).  Needs: network access to the
# phone, a display.  A phone that stops sending for ARTEM_TIMEOUT s (default 5), or a
# lost connection, is reconnected ARTEM_RETRIES times (default 3), each with a message.
# usage: pipelines/phone-mjpeg.sh [--test] URL
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  # the same demux/decode chain on a local MJPEG stream
  # shellcheck disable=SC2086
  run $TEST_SRC ! video/x-raw,width=320,height=240 ! jpegenc ! multipartmux ! multipartdemux ! \
    jpegdec ! videoconvert ! artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! \
    ${ARTEM_SINK:-fakesink}
fi
url=${1:?usage: $0 [--test] http://HOST:PORT/PATH}
# shellcheck disable=SC2086
run_network "$url" -- souphttpsrc "location=$url" is-live=true do-timestamp=true \
  timeout="$TIMEOUT" retries=0 ! multipartdemux ! jpegdec ! $WATCHDOG ! videoconvert ! \
  queue max-size-buffers=1 leaky=downstream ! artemstylize "$MODEL_ARG" $DEVICE_ARG ! \
  $FRAMES ! videoconvert ! ${ARTEM_SINK:-autovideosink sync=false}
