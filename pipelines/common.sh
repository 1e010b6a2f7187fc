# common.sh — sourced by the pipeline scripts.
#   --test        swap the source for videotestsrc and the sink for fakesink (or a file
#                 in a temp folder) so the script runs anywhere; used by the tests
#   ARTEM_MODEL   the style network (default: the plugin's installed default style)
#   ARTEM_DEVICE  auto | cpu | cuda (default auto)
# The plugin is taken from the build folder when run from a source tree.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${ARTEM_BUILD_DIR:-$top/build}
if [ -f "$build/gst/libgstartem.so" ]; then
  export GST_PLUGIN_PATH="$build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
fi
TEST=0
if [ "${1:-}" = "--test" ]; then
  TEST=1
  shift
  : "${ARTEM_MODEL:=$top/tests/data/tiny-style-a.onnx}"
fi
MODEL_ARG=""
[ -n "${ARTEM_MODEL:-}" ] && MODEL_ARG="model-location=$ARTEM_MODEL"
DEVICE_ARG="device=${ARTEM_DEVICE:-auto}"
# test source: a few frames of a moving pattern
TEST_SRC="videotestsrc num-buffers=${ARTEM_TEST_FRAMES:-5} pattern=ball"
run() {
  echo "gst-launch-1.0 $*" >&2
  # shellcheck disable=SC2086
  exec gst-launch-1.0 -e $*
}
