#!/bin/sh
# VR side by side: one frame holding both eyes (2 x EYE_W x EYE_H, default 1080x1200 per
# eye as on a 2017 headset) for a headset that shows a desktop window full screen.  The
# camera is cropped to the eye's shape (nothing is stretched), scaled to exactly
# EYE_W x EYE_H square pixels, stylized once and shown to both eyes.
# Needs: a V4L2 camera, a display (the headset as a monitor).
# usage: pipelines/vr-sbs.sh [--test] [DEVICE] [EYE_W EYE_H]
#        (--test: [EYE_W EYE_H], default 216x240)
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  ew=${1:-216}; eh=${2:-240}
  src="$TEST_SRC ! video/x-raw,width=320,height=240"
  sink=${ARTEM_SINK:-fakesink}
else
  dev=${1:-/dev/video0}
  ew=${2:-1080}; eh=${3:-1200}
  # ARTEM_SOURCE: another source instead of the camera (a gst-launch fragment)
  src="${ARTEM_SOURCE:-v4l2src device=$dev} ! videoconvert ! queue max-size-buffers=1 leaky=downstream"
  sink=${ARTEM_SINK:-autovideosink sync=false}
fi
case "$ew$eh" in ''|*[!0-9]*) say "bad eye size '$ew x $eh'"; exit 2 ;; esac
[ "$ew" -ge 16 ] && [ "$eh" -ge 16 ] || { say "eye size ${ew}x$eh is too small"; exit 2; }
eye="video/x-raw,width=$ew,height=$eh,pixel-aspect-ratio=1/1"
# shellcheck disable=SC2086
run $src ! videoconvert ! aspectratiocrop aspect-ratio=$ew/$eh ! videoscale add-borders=false ! $eye ! \
  artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! tee name=t \
  compositor name=sbs background=black \
    sink_0::xpos=0 sink_0::ypos=0 sink_0::width=$ew sink_0::height=$eh \
    sink_1::xpos=$ew sink_1::ypos=0 sink_1::width=$ew sink_1::height=$eh ! \
  video/x-raw,width=$((2 * ew)),height=$eh,pixel-aspect-ratio=1/1 ! videoconvert ! $sink \
  t. ! queue ! sbs.sink_0  t. ! queue ! sbs.sink_1
