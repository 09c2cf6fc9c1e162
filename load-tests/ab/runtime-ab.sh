#!/usr/bin/env bash
# Interleaved before/after comparison of the runtime microbenchmarks between two built trees.
#   bash load-tests/ab/runtime-ab.sh BEFORE_DIR AFTER_DIR [ROUNDS] [TARGET_MS]
# Each round runs every (impl, case) once in BEFORE then once in AFTER, each in a fresh process
# (load drift hits both sides alike); prints the median CPU ns/op per side and the ratio.
set -euo pipefail
before=$1 after=$2 rounds=${3:-7} ms=${4:-1000}
tmp=$(mktemp -d)
for r in $(seq "$rounds"); do
  for impl in strand strand-await; do
    for c in pingpong buffered select; do
      for side in before after; do
        dir=$before; [ "$side" = after ] && dir=$after
        node --expose-gc "$dir/dist/load-tests/runtime/worker.js" "$impl" "$c" "$ms" \
          | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).cpu_ns_per_op))' \
          >> "$tmp/$impl.$c.$side"
      done
    done
  done
done
med() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '%-14s %-9s %10s %10s %7s\n' impl case before after ratio
for impl in strand strand-await; do
  for c in pingpong buffered select; do
    b=$(med "$tmp/$impl.$c.before"); a=$(med "$tmp/$impl.$c.after")
    printf '%-14s %-9s %10.1f %10.1f %7.3f\n' "$impl" "$c" "$b" "$a" "$(echo "$a / $b" | bc -l)"
  done
done
rm -rf "$tmp"
