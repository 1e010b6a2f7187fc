#!/bin/sh
# Stylize my screen: captures the X11 screen and shows it stylized in a window.
# Needs: an X11 display (ximagesrc, gstreamer1.0-plugins-good) and a display for the sink.
# usage: pipelines/screen.sh [--test]
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  run "$TEST_SRC ! video/x-raw,width=640,height=360 ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG inference-scale=0.5 ! videoconvert ! fakesink"
fi
run "ximagesrc use-damage=false ! video/x-raw,framerate=15/1 ! videoconvert ! queue max-size-buffers=1 leaky=downstream ! artemstylize $MODEL_ARG $DEVICE_ARG inference-scale=0.5 ! videoconvert ! autovideosink sync=false"
