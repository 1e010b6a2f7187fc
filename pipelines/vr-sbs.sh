#!/bin/sh
# VR side by side: one frame holding both eyes (2 x EYE_W x EYE_H, default 1080x1200 per
# eye as on a 2017 headset) for a headset that shows a desktop window full screen.  The
# camera is stylized once at eye size and shown to both eyes.
# Needs: a V4L2 camera, a display (the headset as a monitor).
# usage: pipelines/vr-sbs.sh [--test] [DEVICE] [EYE_W EYE_H]
. "$(dirname "$0")/common.sh"
ew=${3:-1080}; eh=${4:-1200}
if [ $TEST = 1 ]; then
  ew=${ARTEM_EYE_W:-216}; eh=${ARTEM_EYE_H:-240}
  src="$TEST_SRC"; sink="fakesink"
else
  src="v4l2src device=${1:-/dev/video0} ! videoconvert ! queue max-size-buffers=1 leaky=downstream"
  sink="autovideosink sync=false"
fi
run "$src ! videoscale ! video/x-raw,width=$ew,height=$eh ! videoconvert ! artemstylize $MODEL_ARG $DEVICE_ARG ! videoconvert ! tee name=t \
  compositor name=sbs sink_0::xpos=0 sink_1::xpos=$ew ! video/x-raw,width=$((2 * ew)),height=$eh ! videoconvert ! $sink \
  t. ! queue ! sbs.sink_0  t. ! queue ! sbs.sink_1"
