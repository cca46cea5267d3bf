#!/usr/bin/env bash
# Benchmark: the same job (the synthetic demo pipeline, same options) on the SparkRunner local[2]
# and on the DirectRunner as the command line tunes it, alternating in one JVM; samples/s of the
# whole run for both and the ratio Spark/Direct of the medians.
# Usage: bench/runners.sh [sensors=8] [seconds=300] [rateHz=250] [rounds=3]
#   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build pipelines
exec java -Xmx3g $(cat runners/spark-java17.opts) ${JAVA_OPTS:-} -cp "$(bench_classpath pipelines)" \
  io.beamline.pipelines.bench.RunnersBench "$@"
