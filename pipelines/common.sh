# common.sh — sourced by the pipeline scripts.
#   --test          swap the source for videotestsrc (and, where the script has no
#                   ARTEM_SINK, the sink for fakesink or a temp file) so it runs anywhere
#   ARTEM_MODEL     the style network (default: the default style; from a source tree,
#                   models/default, else the one installed with the plugin)
#   ARTEM_DEVICE    auto | cpu | cuda (default auto)
#   ARTEM_SINK      where the stylized video goes instead of a window (a gst-launch
#                   fragment, e.g. "videoconvert ! x264enc ! mp4mux ! filesink location=o.mp4";
#                   a path with spaces in it needs double quotes: location=\"my clip.mp4\")
#   ARTEM_SOURCE    webcam.sh, vr-sbs.sh: another source instead of the camera (a
#                   gst-launch fragment, e.g. "filesrc location=in.mp4 ! decodebin")
#   ARTEM_FRAMES    stop (end of stream) after this many stylized frames
#   ARTEM_TIMEOUT   network sources: seconds without a frame before the source counts as
#                   lost (default 5)
#   ARTEM_RETRIES   network sources: reconnections after a loss (default 3)
# Paths and URLs may hold spaces: each is passed to gst-launch-1.0 as one word.
# The plugin (and the default models) are taken from the build folder when run from a
# source tree.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${ARTEM_BUILD_DIR:-$top/build}
if [ -f "$build/gst/libgstartem.so" ]; then
  export GST_PLUGIN_PATH="$build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
  [ -d "$top/models/default" ] && export ARTEM_MODELDIR="${ARTEM_MODELDIR:-$top/models/default}"
fi
me=$(basename "$0" .sh)
TEST=0
if [ "${1:-}" = "--test" ]; then
  TEST=1
  shift
  : "${ARTEM_MODEL:=$top/tests/data/tiny-style-a.onnx}"
fi
# one word each (paths may hold spaces): pass them quoted, "$MODEL_ARG"
MODEL_ARG=""
[ -n "${ARTEM_MODEL:-}" ] && MODEL_ARG="model-location=$ARTEM_MODEL"
DEVICE_ARG="device=${ARTEM_DEVICE:-auto}"
# after the element: ends the stream after ARTEM_FRAMES frames
FRAMES="identity eos-after=${ARTEM_FRAMES:--1}"
# test source: a few frames of a moving pattern
TEST_SRC="videotestsrc num-buffers=${ARTEM_TEST_FRAMES:-5} pattern=ball"
TIMEOUT=${ARTEM_TIMEOUT:-5}
RETRIES=${ARTEM_RETRIES:-3}
# a network source's watchdog: an error when no frame came for TIMEOUT seconds
WATCHDOG="watchdog timeout=$((TIMEOUT * 1000))"
say() { echo "$me: $*" >&2; }
# the gst-launch command line, shown as it can be pasted
show() {
  printf 'gst-launch-1.0 -e' >&2
  for a in "$@"; do
    case $a in *[\ \"\']*) printf " '%s'" "$a" >&2 ;; *) printf ' %s' "$a" >&2 ;; esac
  done
  echo >&2
}
run() {
  show "$@"
  exec gst-launch-1.0 -e "$@"
}
# runs gst-launch-1.0, its output shown and kept in $LOG; returns its exit status.
# --no-fault: gst-launch installs no fault handler, so a crash in a library ends it
# (exit 128+signal) instead of leaving it spinning in "Caught SIGSEGV ... Spinning" for
# ever (libsoup 3.2 of Debian 12 can crash when souphttpsrc is stopped on a stalled
# connection), and the reconnect loop below still runs and says what happened.
LOG=""
run_logged() {
  [ -n "$LOG" ] || { LOG=$(mktemp); trap 'rm -f "$LOG" "$LOG.rc"' EXIT; }
  show "$@"
  { gst-launch-1.0 --no-fault -e "$@" 2>&1; echo $? >"$LOG.rc"; } | tee "$LOG"
  rc=$(cat "$LOG.rc")
  [ "$rc" -gt 128 ] && say "gst-launch-1.0 was killed by signal $((rc - 128)) (a crash in GStreamer or a library it loads)"
  return "$rc"
}
# a network source with reconnection: run_network URL -- PIPELINE WORDS...
# A stall (no frame for TIMEOUT s, the watchdog) or a lost connection is retried RETRIES
# times, 2 s apart, each with a message; it exits 0 at a normal end of stream.
run_network() {
  url=$1; shift 2
  attempt=0
  while :; do
    if run_logged "$@"; then
      grep -q "^Got EOS" "$LOG" && [ "${ARTEM_FRAMES:--1}" = -1 ] &&
        say "the stream at $url ended (the server closed it)"
      exit 0
    fi
    if grep -q "erroneous pipeline\|could not be constructed" "$LOG"; then
      say "the pipeline does not parse (see above): check ARTEM_SINK / ARTEM_MODEL"
      exit 2
    elif grep -q "Watchdog triggered" "$LOG"; then
      why="no video from $url for ${TIMEOUT} s: the stream stalled (phone asleep, app closed, Wi-Fi lost?)"
    else
      err=$(grep -m1 "^ERROR: from element" "$LOG" | sed 's/^ERROR: from element [^ ]*: //; s/\.*$//')
      why="cannot get video from $url: ${err:-gst-launch-1.0 failed}. Is the camera app serving, and is the address reachable from here?"
    fi
    if [ "$attempt" -ge "$RETRIES" ]; then
      say "$why"
      say "giving up after $attempt reconnection(s) (ARTEM_RETRIES=$RETRIES)"
      exit 1
    fi
    attempt=$((attempt + 1))
    say "$why; reconnecting in 2 s ($attempt of $RETRIES)"
    sleep 2
  done
}
