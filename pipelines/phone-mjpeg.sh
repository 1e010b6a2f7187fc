#!/bin/sh
# A phone as IP camera: MJPEG over HTTP (apps such as "IP Webcam" serve
# http://PHONE:8080/video).  Needs: network access to the phone, a display.
# usage: pipelines/phone-mjpeg.sh [--test] URL
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  # the same demux/decode chain on a local MJPEG stream
  run "$TEST_SRC ! video/x-raw,width=320,height=240 ! jpegenc ! multipartmux ! multipartdemux ! jpegdec ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! fakesink"
fi
run "souphttpsrc location=${1:?URL of the MJPEG stream} is-live=true do-timestamp=true ! multipartdemux ! jpegdec ! videoconvert ! queue max-size-buffers=1 leaky=downstream ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! autovideosink sync=false"
