#!/usr/bin/env bash
# Benchmark: samples/s of `constellation` end to end (drivers -> Kafka -> sync -> NWB/Zarr/Parquet/
# WebDataset) vs a plain Kafka producer loop sending the same record bytes to the same embedded
# broker, in one JVM, with the command line's DirectRunner settings (DirectTuning: checks off unless
# BEAMLINE_DIRECT_CHECKS=true) and the heap flags the launcher gives a run (runners/jvm-heap.opts), so
# its peak RSS is a command-line run's. Prints both rates and the ratio end-to-end/plain per round.
# Usage: bench/constellation.sh [duration_s=5] [runner=DirectRunner|SparkRunner] [rounds=2]
#   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build pipelines
exec java $(cat runners/jvm-heap.opts) $(cat runners/spark-java17.opts 2>/dev/null) ${JAVA_OPTS:-} \
  -cp "$(bench_classpath pipelines)" \
  io.beamline.pipelines.constellation.ConstellationBench "$@"
