#!/usr/bin/env bash
# Benchmark: `infer run` of two builds of the jar on the same chunks, e.g. the default jar (PyTorch
# 2.7.1 CPU natives inside) against the -Pcuda jar (PyTorch 2.5.1, natives in lib/ beside it), which
# runs on the CPU where no GPU is visible. Rounds alternate A and B, each a fresh JVM into a fresh
# output directory (model run, every output written); prints per build the median chunks/s the run
# reports (pipeline time), the median wall time of the whole command (JVM start and native loading
# included) and the peak RSS, then the ratio B/A.
# Usage: bench/infer-jars.sh JAR_A JAR_B MANIFEST|DIR [rounds=3] [extra infer run flags...]
#   MANIFEST|DIR: what `infer chunk` wrote (DIR/manifests), e.g.
#   java -jar JAR_A infer chunk --recordings data/audio --output-dir /tmp/chunks
#   bench/infer-jars.sh runners/target/beamline.jar /tmp/cuda/beamline.jar /tmp/chunks/manifests
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n 2,12p "$0" >&2; exit 2; }
jar_a=$(realpath "$1") jar_b=$(realpath "$2") manifests=$(realpath "$3")
rounds=${4:-3}
shift $(( $# < 4 ? $# : 4 ))
cd "$(dirname "$0")/.."
opts=$(cat runners/spark-java17.opts)
work=$(mktemp -d /tmp/infer-jars.XXXXXX)
trap 'rm -rf "$work"' EXIT

run() { # JAR OUT-DIR [flags...] -> "chunks/s wall_s peak_kB"
  local jar=$1 out=$2
  shift 2
  /usr/bin/time -f '%e %M' -o "$work/time" java $opts -Dai.djl.offline=true -jar "$jar" \
    infer run "$manifests" --output-dir "$out" "$@" >"$work/stdout" 2>"$work/stderr" \
    || { cat "$work/stderr" >&2; exit 1; }
  rate=$(sed -n 's/.*s, \([0-9.]*\) chunks\/s$/\1/p' "$work/stdout")
  echo "$rate $(cat "$work/time")"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

: >"$work/a"
: >"$work/b"
for r in $(seq 0 "$rounds"); do
  a=$(run "$jar_a" "$work/out-a-$r" "$@")
  b=$(run "$jar_b" "$work/out-b-$r" "$@")
  echo "round $r: A $a | B $b (chunks/s wall_s peak_kB)$([[ $r == 0 ]] && echo ', warm-up')"
  if [[ $r -gt 0 ]]; then
    echo "$a" >>"$work/a"
    echo "$b" >>"$work/b"
  fi
  rm -rf "$work/out-a-$r" "$work/out-b-$r"
done
for s in a b; do
  eval "rate_$s=$(cut -d' ' -f1 "$work/$s" | median)"
  eval "wall_$s=$(cut -d' ' -f2 "$work/$s" | median)"
  eval "rss_$s=$(cut -d' ' -f3 "$work/$s" | sort -g | tail -1)"
done
echo "A $jar_a: $rate_a chunks/s, wall $wall_a s, peak RSS $((rss_a / 1024)) MB"
echo "B $jar_b: $rate_b chunks/s, wall $wall_b s, peak RSS $((rss_b / 1024)) MB"
awk -v a="$rate_a" -v b="$rate_b" -v wa="$wall_a" -v wb="$wall_b" -v n="$rounds" \
  'BEGIN {printf "ratio B/A: %.3f chunks/s, %.3f wall time (medians of %d rounds)\n", b/a, wb/wa, n}'
