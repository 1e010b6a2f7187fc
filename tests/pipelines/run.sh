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
# a gst-launch-1.0 that crashes on the way down (libsoup 3.2 can, when souphttpsrc stops
# on a stalled connection): the network scripts must still end, with a message, and not
# hang in gst-launch's fault handler ("Caught SIGSEGV ... Spinning").  The stand-in spins
# as that handler does unless the scripts pass --no-fault.
cat >"$out/gst-launch-1.0" <<'EOF2'
#!/bin/sh
echo "ERROR: from element /GstPipeline:pipeline0/GstWatchdog:watchdog0: Watchdog triggered"
if [ "$1" != --no-fault ]; then echo "Caught SIGSEGV"; echo "Spinning."; sleep 600; fi
kill -SEGV $$
EOF2
chmod +x "$out/gst-launch-1.0"
t0=$(date +%s)
PATH="$out:$PATH" ARTEM_TIMEOUT=2 ARTEM_RETRIES=1 timeout 60 "$top/pipelines/phone-mjpeg.sh" \
  http://127.0.0.1:9/video >"$out/log" 2>&1
rc=$?; secs=$(( $(date +%s) - t0 ))
if [ $rc = 1 ] && [ $secs -le 20 ] && grep -q "killed by signal 11" "$out/log" &&
   grep -q "the stream stalled" "$out/log" && grep -q "giving up after 1" "$out/log"; then
  echo "PASS a crashing gst-launch-1.0 ends phone-mjpeg.sh in $secs s with a message"
else
  echo "FAIL a crashing gst-launch-1.0: exit $rc after $secs s"; tail -20 "$out/log"; fail=1
fi
rm -rf "$out"
exit $fail
