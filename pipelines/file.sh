#!/bin/sh
# File to file: decodes any video GStreamer can read, stylizes every frame (no frame is
# dropped: not live), encodes VP8 into WebM.  Needs: nothing but the files.
# The output is written to OUTPUT.part and renamed when the run succeeds: a failed run
# leaves no (empty or partial) output file.
# usage: pipelines/file.sh [--test] INPUT OUTPUT.webm      (--test: [OUTPUT.webm] only)
. "$(dirname "$0")/common.sh"
if [ $TEST = 1 ]; then
  out=${1:-$(mktemp -d)/artem-test.webm}
  set -- $TEST_SRC ! video/x-raw,width=160,height=120,framerate=10/1 ! videoconvert !
else
  [ $# = 2 ] || { echo "usage: $0 [--test] INPUT OUTPUT.webm" >&2; exit 2; }
  [ -r "$1" ] || { say "cannot read the input video '$1'"; exit 1; }
  out=$2
  set -- filesrc "location=$1" ! decodebin ! videoconvert !
fi
part="$out.part"
if run_logged "$@" artemstylize "$MODEL_ARG" $DEVICE_ARG ! $FRAMES ! videoconvert ! \
     vp8enc deadline=1 cpu-used=8 ! webmmux ! filesink "location=$part" &&
   ! grep -q "^ERROR:" "$LOG" && [ -s "$part" ]; then
  mv "$part" "$out"
  say "wrote $out"
else
  rm -f "$part"
  say "failed; no output written (the error is above)"
  exit 1
fi
