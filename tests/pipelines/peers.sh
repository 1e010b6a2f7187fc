#!/bin/sh
# The pipeline scripts against real peers on 127.0.0.1, each run bounded in time, the
# servers started and stopped here:
#   phone-rtsp.sh  a GstRtspServer (python3-gi) serving H.264, MJPEG and VP8; the server
#                  killed (connection lost) and frozen (SIGSTOP: a phone gone to sleep)
#   phone-mjpeg.sh an HTTP server sending multipart/x-mixed-replace JPEGs as phone apps
#                  do; nothing listening; a server that stalls after a few frames
#   screen.sh      Xvfb with an X client: the default region (left half), a given region
#   vr-sbs.sh      exact eye geometry: 2 x EYE_W x EYE_H, both halves the same picture
#   file.sh        paths with spaces; a failed run leaves no output file
#   artem-control  --watchdog on a stalled stream
# Stylized frames must arrive; a dead or stalled server must end the script with exit 1
# and a message naming the problem.  SKIP (77) without python3-gi's GstRtspServer, Xvfb
# or the plugins (scripts/install-deps.sh installs them).
# usage: tests/pipelines/peers.sh ARTEM_CONTROL
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ctl=$1
py=/usr/bin/python3
export ARTEM_DEVICE=cpu ARTEM_MODEL="$top/tests/data/tiny-style-a.onnx"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/artem peers.XXXXXX")   # a space in every path
pids=""
cleanup() { for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
fail=0
pass() { echo "PASS $*"; }
bad() { echo "FAIL $*"; [ -f "$tmp/log" ] && tail -15 "$tmp/log"; fail=1; }
need() {
  for e in "$@"; do
    gst-inspect-1.0 "$e" >/dev/null 2>&1 || { echo "SKIP: GStreamer element $e missing (scripts/install-deps.sh)"; exit 77; }
  done
}
need watchdog rtspsrc souphttpsrc ximagesrc aspectratiocrop compositor x264enc avdec_h264 vp8enc
$py -c 'import gi; gi.require_version("GstRtspServer", "1.0")' 2>/dev/null ||
  { echo "SKIP: python3-gi with GstRtspServer missing (scripts/install-deps.sh)"; exit 77; }
command -v Xvfb >/dev/null || { echo "SKIP: Xvfb missing (scripts/install-deps.sh)"; exit 77; }
port() { $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# waits up to 10 s for a server's "ready"
wait_ready() { for _ in $(seq 100); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
frames() { ls "$tmp/$1"-*.png 2>/dev/null | wc -l; }
# runs a script with a time bound; its exit status in $rc, its time in $secs
timed() {
  bound=$1; shift
  t0=$(date +%s)
  timeout "$bound" "$@" >"$tmp/log" 2>&1 </dev/null
  rc=$?
  secs=$(( $(date +%s) - t0 ))
}
# (a path with spaces inside ARTEM_SINK is double-quoted, as common.sh says)
pngsink() { echo "videoconvert ! pngenc ! multifilesink location=\"$tmp/$1-%03d.png\""; }

# ---- RTSP ----
p=$(port)
$py "$here/rtsp-server.py" "$p" 120 >"$tmp/rtsp.out" 2>&1 & srv=$!; pids="$pids $srv"
wait_ready "$tmp/rtsp.out" || { bad "rtsp server did not start"; cat "$tmp/rtsp.out"; exit 1; }
for c in h264 mjpeg vp8; do
  ARTEM_FRAMES=6 ARTEM_SINK=$(pngsink "rtsp-$c") timed 60 "$top/pipelines/phone-rtsp.sh" "rtsp://127.0.0.1:$p/$c"
  n=$(frames "rtsp-$c")
  if [ $rc = 0 ] && [ "$n" -ge 4 ] && [ "$($py "$here/pngcheck.py" size "$tmp/rtsp-$c-001.png")" = 160x120 ]; then
    pass "phone-rtsp $c ($n stylized frames)"
  else
    bad "phone-rtsp $c: exit $rc, $n frames"
  fi
done
# frozen server (connection open, nothing sent): the watchdog, a reconnection, then exit 1
(sleep 3; kill -STOP "$srv") &
ARTEM_TIMEOUT=2 ARTEM_RETRIES=1 ARTEM_SINK=fakesink timed 60 "$top/pipelines/phone-rtsp.sh" "rtsp://127.0.0.1:$p/h264"
if [ $rc = 1 ] && [ $secs -le 30 ] && grep -q "no video from rtsp://127.0.0.1:$p/h264 for 2 s: the stream stalled" "$tmp/log" &&
   grep -q "reconnecting in 2 s (1 of 1)" "$tmp/log" && grep -q "giving up after 1 reconnection" "$tmp/log"; then
  pass "phone-rtsp: frozen server ends in $secs s with a clear message"
else
  bad "phone-rtsp frozen server: exit $rc after $secs s"
fi
# artem-control's own watchdog on the same frozen server
kill -CONT "$srv"; sleep 1
(sleep 3; kill -STOP "$srv") &
GST_PLUGIN_PATH="${ARTEM_BUILD_DIR:-$top/build}/gst" timed 30 "$ctl" --watchdog 2 rtspsrc "location=rtsp://127.0.0.1:$p/vp8" ! decodebin ! videoconvert ! \
  artemstylize device=cpu "model-location=$ARTEM_MODEL" ! fakesink
if [ $rc = 1 ] && [ $secs -le 20 ] && grep -q "^bus-error: artemstylize0: no video for 2 s" "$tmp/log"; then
  pass "artem-control --watchdog: a stalled stream ends in $secs s"
else
  bad "artem-control --watchdog: exit $rc after $secs s"
fi
kill -CONT "$srv"; sleep 1
# killed server: the connection is lost, reconnecting fails, exit 1
(sleep 3; kill -9 "$srv") &
ARTEM_TIMEOUT=2 ARTEM_RETRIES=1 ARTEM_SINK=fakesink timed 60 "$top/pipelines/phone-rtsp.sh" "rtsp://127.0.0.1:$p/h264"
if [ $rc = 1 ] && [ $secs -le 30 ] && grep -q "cannot get video from rtsp://127.0.0.1:$p/h264" "$tmp/log" &&
   grep -q "giving up" "$tmp/log"; then
  pass "phone-rtsp: killed server ends in $secs s with a clear message"
else
  bad "phone-rtsp killed server: exit $rc after $secs s"
fi

# ---- MJPEG over HTTP ----
gst-launch-1.0 -q videotestsrc num-buffers=10 pattern=ball ! video/x-raw,width=192,height=144 ! \
  jpegenc ! multifilesink "location=$tmp/src-%02d.jpg" || bad "cannot make JPEGs"
p=$(port)
$py "$here/mjpeg-server.py" "$p" 60 "$tmp"/src-*.jpg >"$tmp/mjpeg.out" 2>&1 & pids="$pids $!"
wait_ready "$tmp/mjpeg.out" || bad "mjpeg server did not start"
ARTEM_FRAMES=6 ARTEM_SINK=$(pngsink mjpeg) timed 60 "$top/pipelines/phone-mjpeg.sh" "http://127.0.0.1:$p/video"
n=$(frames mjpeg)
if [ $rc = 0 ] && [ "$n" -ge 4 ] && [ "$($py "$here/pngcheck.py" size "$tmp/mjpeg-001.png")" = 192x144 ] &&
   $py "$here/pngcheck.py" differ "$tmp/mjpeg-001.png" "$tmp/src-00.jpg" >/dev/null; then
  pass "phone-mjpeg ($n stylized frames)"
else
  bad "phone-mjpeg: exit $rc, $n frames"
fi
q=$(port)   # nothing listens there
ARTEM_RETRIES=0 ARTEM_SINK=fakesink timed 30 "$top/pipelines/phone-mjpeg.sh" "http://127.0.0.1:$q/video"
if [ $rc = 1 ] && grep -q "cannot get video from http://127.0.0.1:$q/video: .*Is the camera app serving" "$tmp/log"; then
  pass "phone-mjpeg: nothing listening gives a clear message ($secs s)"
else
  bad "phone-mjpeg nothing listening: exit $rc"
fi
p=$(port)
$py "$here/mjpeg-server.py" "$p" 60 --stall-after 8 "$tmp"/src-*.jpg >"$tmp/mjpeg2.out" 2>&1 & pids="$pids $!"
wait_ready "$tmp/mjpeg2.out" || bad "mjpeg server did not start"
ARTEM_TIMEOUT=2 ARTEM_RETRIES=1 ARTEM_SINK=fakesink timed 60 "$top/pipelines/phone-mjpeg.sh" "http://127.0.0.1:$p/video"
if [ $rc = 1 ] && [ $secs -le 30 ] && grep -q "the stream stalled" "$tmp/log" && grep -q "giving up" "$tmp/log"; then
  pass "phone-mjpeg: a stalled phone ends in $secs s with a clear message"
else
  bad "phone-mjpeg stalled: exit $rc after $secs s"
fi

# ---- the screen (Xvfb) ----
Xvfb -displayfd 3 -screen 0 320x240x24 -nolisten tcp 3>"$tmp/xdisplay" >/dev/null 2>&1 & pids="$pids $!"
for _ in $(seq 100); do [ -s "$tmp/xdisplay" ] && break; sleep 0.1; done
d=":$(cat "$tmp/xdisplay")"
if [ "$d" = ":" ]; then
  bad "Xvfb did not start"
else
  command -v xlogo >/dev/null && { DISPLAY=$d xlogo -geometry 120x120+10+10 & pids="$pids $!"; sleep 1; }
  DISPLAY=$d ARTEM_FRAMES=3 ARTEM_SINK=$(pngsink screen) timed 60 "$top/pipelines/screen.sh"
  n=$(frames screen)
  if [ $rc = 0 ] && [ "$n" -ge 2 ] && [ "$($py "$here/pngcheck.py" size "$tmp/screen-001.png")" = 160x240 ] &&
     grep -q "capturing the left half" "$tmp/log"; then
    pass "screen: the left half of the display, $n frames"
  else
    bad "screen default region: exit $rc, $n frames"
  fi
  DISPLAY=$d ARTEM_FRAMES=3 ARTEM_SINK=$(pngsink region) timed 60 "$top/pipelines/screen.sh" 8,16,96,64
  [ $rc = 0 ] && [ "$($py "$here/pngcheck.py" size "$tmp/region-001.png" 2>/dev/null)" = 96x64 ] &&
    pass "screen: region 8,16,96,64" || bad "screen region: exit $rc"
  DISPLAY=$d timed 30 "$top/pipelines/screen.sh" 1,2,x
  [ $rc = 2 ] && grep -q "bad region" "$tmp/log" && pass "screen: a bad region is refused" || bad "screen bad region: exit $rc"
fi

# ---- VR side by side: exact eyes ----
for mode in test real; do
  rm -f "$tmp"/vr-*.png
  if [ $mode = test ]; then
    ARTEM_TEST_FRAMES=2 ARTEM_SINK=$(pngsink vr) timed 60 "$top/pipelines/vr-sbs.sh" --test 100 60
  else
    ARTEM_SOURCE="videotestsrc num-buffers=2 pattern=ball ! video/x-raw,width=320,height=240" \
      ARTEM_SINK=$(pngsink vr) timed 60 "$top/pipelines/vr-sbs.sh" /dev/video0 100 60
  fi
  size=$($py "$here/pngcheck.py" size "$tmp/vr-000.png" 2>/dev/null)
  if [ $rc = 0 ] && [ "$size" = 200x60 ] && $py "$here/pngcheck.py" halves "$tmp/vr-000.png" >/dev/null; then
    pass "vr-sbs ($mode): 2 x 100x60, both eyes the same picture"
  else
    bad "vr-sbs ($mode): exit $rc, frame $size"
  fi
done

# ---- file to file ----
gst-launch-1.0 -q videotestsrc num-buffers=8 pattern=ball ! video/x-raw,width=96,height=64,framerate=10/1 ! \
  vp8enc deadline=1 ! webmmux ! filesink "location=$tmp/in put.webm" || bad "cannot make a clip"
timed 120 "$top/pipelines/file.sh" "$tmp/in put.webm" "$tmp/out put.webm"
[ $rc = 0 ] && [ -s "$tmp/out put.webm" ] && [ ! -e "$tmp/out put.webm.part" ] &&
  pass "file: paths with spaces" || bad "file with spaces: exit $rc"
printf 'not a video' >"$tmp/junk.webm"
timed 60 "$top/pipelines/file.sh" "$tmp/junk.webm" "$tmp/never.webm"
[ $rc = 1 ] && [ ! -e "$tmp/never.webm" ] && [ ! -e "$tmp/never.webm.part" ] &&
  pass "file: a failed run leaves no output file" || bad "file failure: exit $rc, output left: $(ls "$tmp" | grep never)"
exit $fail
