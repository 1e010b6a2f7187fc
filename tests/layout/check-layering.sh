#!/bin/sh
# check-layering.sh — the source tree's layering (doc/architecture.md), as grep sees it:
# - the CUDA backend (gpu/cuda/) includes no CPU-backend header (gpu/cpu/): both read the
#   node's parameters (gpu/op-params.h) and dispatch on its kind (gpu/op-kinds.h);
# - nothing under gpu/ or gst/ includes a tests/ path (the CUDA emulator is force-included
#   by the tests' own build);
# - no function in gpu/ or gst/ is over 80 lines (GNU style: the body between a "{" and a
#   "}" in column 0), except the elements' class_init, which are property tables.
# usage: check-layering.sh SOURCE_ROOT
root=${1:-.}
fail=0
cpu=$(grep -rnE '#include[[:space:]]+"[^"]*cpu/' "$root/gpu/cuda" 2>/dev/null)
if [ -n "$cpu" ]; then
  echo "FAIL: gpu/cuda includes CPU-backend headers:"; echo "$cpu"; fail=1
fi
for f in "$root"/gpu/cuda/*.c "$root"/gpu/cuda/*.cu "$root"/gpu/cuda/*.h "$root"/gpu/cuda/*.cuh; do
  # a header named like a CPU one but reached by another path
  for h in gather-plan.h conv.h; do
    if grep -qE "#include[[:space:]]+\"([^\"]*/)?$h\"" "$f"; then
      echo "FAIL: $f includes $h (a CPU-backend header)"; fail=1
    fi
  done
done
tst=$(grep -rnE '#include[[:space:]]+"[^"]*tests/' "$root/gpu" "$root/gst" 2>/dev/null)
if [ -n "$tst" ]; then
  echo "FAIL: production code includes test code:"; echo "$tst"; fail=1
fi
long=$(for f in "$root"/gpu/*.c "$root"/gpu/*/*.c "$root"/gpu/cuda/*.cu "$root"/gst/*.c; do
  [ -f "$f" ] || continue
  awk -v F="$f" '/^[A-Za-z_].*\(/ { name = $1 } /^\{/ { s = NR; n = name }
    /^\}/ { if (s && NR - s > 80 && n !~ /_class_init$/) print F ": " n " has " NR - s " lines"; s = 0 }' "$f"
done)
if [ -n "$long" ]; then
  echo "FAIL: functions over 80 lines:"; echo "$long"; fail=1
fi
[ $fail = 0 ] && echo "layering: gpu/cuda reads no CPU header; gpu/ and gst/ include no tests/ path; no function over 80 lines"
exit $fail
