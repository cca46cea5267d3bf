#!/usr/bin/env bash
# Benchmark: chunks/s of the whole `infer run` pipeline (DirectRunner, every output written) vs a
# bare loop reading the same chunk files and calling batchPredict with the same model, translator
# and batches, CPU only, one JVM. Prints both rates and the pipeline/bare ratio.
# Usage: bench/infer-run.sh [chunks=128] [batchSize=16] [rounds=3]
#   (from anywhere; extra JVM flags via JAVA_OPTS, e.g. JAVA_OPTS=-Dai.djl.pytorch.num_threads=2)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build pipelines
exec java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "$(bench_classpath pipelines)" \
  io.beamline.pipelines.bench.InferRunBench "$@" 2> >(grep -v -E "WARN|^infer run \[" >&2)
