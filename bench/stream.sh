#!/usr/bin/env bash
# Benchmark of the streaming workflow (#12): `stream process` STFs/s and MB/s against a plain Kafka
# consumer that verifies and decodes the same STF files (ratio, medians of rounds), fast-monitor
# latency (STF written -> histogram updated, p50/p99) in a real-time run, the monitor's REST and SSE
# throughput under concurrent loopback clients, and peak RSS of broker, daq, process and monitor.
# Each agent is a child JVM of the CLI (DirectRunner production tuning: checks off), the broker the
# embedded KRaft one. Writes bench/results/stream-<time>.json and prints a table.
# Usage: bench/stream.sh [stfs=60] [rounds=3] [liveStfs=20] [clients=50] [restSeconds=15]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build runners
cp="$(bench_classpath runners)"
opts="$(tr '\n' ' ' < runners/spark-java17.opts)"
unset BEAMLINE_DIRECT_CHECKS
exec java -Xmx1g $opts "-Dbench.jvmOpts=$opts" "-Dbench.results=$PWD/bench/results" ${JAVA_OPTS:-} \
  -cp "$cp" \
  io.beamline.runners.bench.StreamBench "$@"
