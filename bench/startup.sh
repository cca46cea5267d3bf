#!/usr/bin/env bash
# Benchmark of start-up (issue #13, item 5): wall time of `./beamline --help`, `demo` and a 1 s
# constellation session (embedded broker) as a user starts them, with the class-data archives
# (the default: runners/target/beamline.jsa and the broker's) against BEAMLINE_CDS=0, the two
# alternating, after one warm-up of each; rows in runs/s, ratio of the medians (above 1 = faster
# than without the archives). bench/run adds the peak RSS (GNU time: the largest process).
# Usage: bench/startup.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
./beamline --version > /dev/null # builds the jar and its archive when they are stale
rows="$(sed -n 's/.*-Dbench\.rows=\([^ ]*\).*/\1/p' <<< "${JAVA_OPTS:-}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Prints the seconds one run of the command took, with BEAMLINE_CDS=$1.
seconds() {
  local cds="$1" start end
  shift
  rm -rf "$work/out"
  start=$(date +%s.%N)
  if ! BEAMLINE_CDS="$cds" "$@" > "$work/log" 2>&1; then
    echo "bench/startup.sh: failed: $*" >&2
    tail -n 5 "$work/log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN {printf "%.3f\n", e - s}'
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rates() { for t in $1; do awk -v t="$t" 'BEGIN {printf "%.5f,", 1 / t}'; done | sed 's/,$//'; }

run_case() {
  local id="$1" what="$2"
  shift 2
  local on="" off="" r
  seconds 1 "$@" > /dev/null
  seconds 0 "$@" > /dev/null
  for r in $(seq "$rounds"); do
    off="$off $(seconds 0 "$@")"
    on="$on $(seconds 1 "$@")"
  done
  local mon moff
  mon=$(median <<< "$on")
  moff=$(median <<< "$off")
  printf '%-34s archives %6.2f s, without %6.2f s, ratio %.3f  (rounds: %s / %s)\n' \
    "$what" "$mon" "$moff" "$(awk -v a="$moff" -v b="$mon" 'BEGIN {print a / b}')" "${on# }" "${off# }"
  if [ -n "$rows" ]; then
    printf '{"id":"%s","what":"%s","subject":"class-data archives","baseline":"BEAMLINE_CDS=0","unit":"runs/s","subject_rounds":[%s],"baseline_rounds":[%s]}\n' \
      "$id" "$what" "$(rates "$on")" "$(rates "$off")" >> "$rows"
  fi
}

run_case startup-help "start-up: beamline --help" ./beamline --help
run_case startup-demo "start-up: beamline demo" ./beamline demo --output-dir "$work/out"
run_case startup-constellation "start-up: 1 s constellation session" \
  ./beamline constellation --duration 1 --output-dir "$work/out" --subject-id s --session-id a
