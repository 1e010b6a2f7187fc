#!/bin/sh
# Stylize my screen: captures part of an X11 screen and shows it stylized in a window.
# The window must not lie over the area it captures, or it stylizes itself again and
# again.  So it captures only a region: by default the left half of the screen (move the
# window to the right half), or X,Y,W,H, or one window by its name (ARTEM_WINDOW, e.g.
# "Firefox"), or another display altogether (ARTEM_CAPTURE_DISPLAY, e.g. :1, while the
# window opens on $DISPLAY).
# Needs: an X11 display (ximagesrc, gstreamer1.0-plugins-good; xdpyinfo from x11-utils
# for the default region) and a display for the window.
# usage: pipelines/screen.sh [--test] [X,Y,W,H]
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  # shellcheck disable=SC2086
  run $TEST_SRC ! video/x-raw,width=640,height=360 ! videoconvert ! \
    artemstylize "$MODEL_ARG" $DEVICE_ARG inference-scale=0.5 ! $FRAMES ! videoconvert ! \
    ${ARTEM_SINK:-fakesink}
fi
cap=${ARTEM_CAPTURE_DISPLAY:-${DISPLAY:-}}
[ -n "$cap" ] || { say "no X display: set DISPLAY (or ARTEM_CAPTURE_DISPLAY)"; exit 1; }
if [ -n "${ARTEM_WINDOW:-}" ]; then
  area="xname=$ARTEM_WINDOW"
else
  if [ $# -ge 1 ]; then
    region=$1
  else
    size=$(DISPLAY=$cap xdpyinfo 2>/dev/null | sed -n 's/^ *dimensions: *\([0-9]*\)x\([0-9]*\) .*/\1 \2/p' | head -1)
    [ -n "$size" ] || { say "cannot read the size of display $cap (xdpyinfo); give X,Y,W,H"; exit 1; }
    set -- $size
    region="0,0,$(($1 / 2)),$2"
    say "capturing the left half of $cap ($region): put the window on the right half"
  fi
  IFS=, read -r x y w h <<EOR
$region
EOR
  case "$x$y$w$h" in ''|*[!0-9]*) say "bad region '$region': expected X,Y,W,H"; exit 2 ;; esac
  [ "$w" -ge 16 ] && [ "$h" -ge 16 ] || { say "region $region is too small"; exit 2; }
  area="startx=$x starty=$y endx=$((x + w - 1)) endy=$((y + h - 1))"
fi
# shellcheck disable=SC2086
run ximagesrc "display-name=$cap" $area use-damage=false ! video/x-raw,framerate=15/1 ! \
  videoconvert ! queue max-size-buffers=1 leaky=downstream ! \
  artemstylize "$MODEL_ARG" $DEVICE_ARG inference-scale=0.5 ! $FRAMES ! videoconvert ! \
  ${ARTEM_SINK:-autovideosink sync=false}
