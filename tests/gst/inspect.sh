#!/bin/sh
# gst-inspect-1.0 artemstylize (with the build's plugin path) lists the element, its caps
# and every property with a description.   usage: inspect.sh PLUGIN_DIR
set -u
out=$(GST_PLUGIN_PATH=$1 gst-inspect-1.0 artemstylize 2>&1) || { echo "$out"; echo "FAIL: not found"; exit 1; }
fail=0
for f in RGB BGR RGBx BGRx xRGB xBGR RGBA BGRA ARGB ABGR; do
  echo "$out" | grep -q "(string)$f[,} ]" || { echo "FAIL: caps lack $f"; fail=1; }
done
for p in model-location device strength inference-scale preserve-colors frames-processed \
         processing-time-average processing-time-last model-in-use; do
  line=$(echo "$out" | grep -E "^  $p *: ")
  desc=$(echo "$line" | sed -E "s/^  [a-z-]+ *: *//")
  [ -n "$line" ] && [ ${#desc} -ge 15 ] || { echo "FAIL: property $p missing or undocumented"; fail=1; }
done
echo "$out" | grep -A1 "^  strength" | grep -q controllable || { echo "FAIL: strength not controllable"; fail=1; }
[ $fail = 0 ] && echo "PASS gst-inspect artemstylize"
exit $fail
