#!/bin/sh
# artem installed into a fresh prefix works as installed: the plugin loads (libartem
# found through the install RPATH, no LD_LIBRARY_PATH), artemstylize runs on its
# installed default model, artem-control and the tools start, and an application builds
# and runs against libartem through pkg-config.  Also `meson devenv` gives a shell where
# the built plugin and the shipped models are found.
# usage: tests/install.sh SOURCE_DIR
set -u
src=$(cd "$1" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/artem-install.XXXXXX")   # (pkg-config output cannot hold spaces)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/log" ] && tail -20 "$tmp/log"; exit 1; }
pfx="$tmp/prefix"
echo "configuring and building without the tests into $tmp/build ..."
meson setup "$tmp/build" "$src" --prefix="$pfx" -Dtests=false -Dcuda=disabled >"$tmp/log" 2>&1 ||
  fail "meson setup"
ninja -C "$tmp/build" >"$tmp/log" 2>&1 || fail "build"
meson install -C "$tmp/build" >"$tmp/log" 2>&1 || fail "meson install"
libdir=$(meson introspect "$tmp/build" --buildoptions |
  /usr/bin/python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"][0])')
plugin="$pfx/$libdir/gstreamer-1.0/libgstartem.so"
[ -f "$plugin" ] || fail "no plugin at $plugin"
export GST_REGISTRY="$tmp/registry.bin"
unset ARTEM_MODELDIR LD_LIBRARY_PATH
GST_PLUGIN_PATH="$pfx/$libdir/gstreamer-1.0" gst-inspect-1.0 artemstylize >"$tmp/log" 2>&1 ||
  fail "the installed plugin does not load (libartem through RPATH?)"
echo "PASS the installed plugin loads"
GST_PLUGIN_PATH="$pfx/$libdir/gstreamer-1.0" gst-launch-1.0 -q videotestsrc num-buffers=2 ! \
  video/x-raw,width=64,height=48 ! videoconvert ! artemstylize device=cpu ! fakesink >"$tmp/log" 2>&1 ||
  fail "artemstylize on the installed default model"
echo "PASS artemstylize runs on the installed default model"
"$pfx/bin/artem-control" >"$tmp/log" 2>&1; [ $? = 2 ] && grep -q usage "$tmp/log" || fail "installed artem-control"
"$pfx/bin/artem-bench" "$pfx/share/artem/models/default-style.onnx" --size 32x32 --backend cpu \
  --frames 1 >"$tmp/log" 2>&1 || fail "installed artem-bench"
echo "PASS the installed programs start"
cat >"$tmp/app.c" <<'EOC'
#include <artem.h>
#include <stdio.h>
int main (int argc, char **argv) {
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (argv[1], ARTEM_BACKEND_CPU, &err);
  if (!net) { fprintf (stderr, "%s\n", err->message); return 1; }
  printf ("%u nodes\n", artem_net_get_n_nodes (net));
  artem_net_free (net);
  return 0;
}
EOC
export PKG_CONFIG_PATH="$pfx/$libdir/pkgconfig"
# shellcheck disable=SC2046
cc "$tmp/app.c" -o "$tmp/app" $(pkg-config --cflags --libs artem) -Wl,-rpath,"$pfx/$libdir" \
  >"$tmp/log" 2>&1 || fail "an application does not build with pkg-config artem"
"$tmp/app" "$pfx/share/artem/models/default-style.onnx" >"$tmp/log" 2>&1 || fail "the application"
echo "PASS an application builds with pkg-config artem and runs"
meson devenv -C "$tmp/build" sh -c 'gst-inspect-1.0 artemstylize >/dev/null && [ -f "$ARTEM_MODELDIR/default-style.onnx" ] && command -v artem-control' \
  >"$tmp/log" 2>&1 || fail "meson devenv does not find the plugin, the models or artem-control"
echo "PASS meson devenv"
