#!/bin/sh
# Runs every script in pipelines/ in its --test mode (videotestsrc in, fakesink or a temp
# file out, on the CPU with the small test model); each must exit 0; file.sh must write
# a WebM file.   usage: tests/pipelines/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export ARTEM_DEVICE=cpu
fail=0
for s in webcam screen phone-mjpeg phone-rtsp vr-sbs; do
  if timeout 300 "$top/pipelines/$s.sh" --test >"${TMPDIR:-/tmp}/artem-pipe-$s.log" 2>&1; then
    echo "PASS $s"
  else
    echo "FAIL $s"; tail -20 "${TMPDIR:-/tmp}/artem-pipe-$s.log"; fail=1
  fi
done
out=$(mktemp -d)
if timeout 300 "$top/pipelines/file.sh" --test "$out/test.webm" >"$out/log" 2>&1 && \
   [ -s "$out/test.webm" ] && head -c 4 "$out/test.webm" | od -An -tx1 | grep -q "1a 45 df a3"; then
  echo "PASS file ($(wc -c <"$out/test.webm") bytes of WebM)"
else
  echo "FAIL file"; tail -20 "$out/log"; fail=1
fi
rm -rf "$out"
exit $fail
