#!/usr/bin/env bash
# Benchmark: chunks/s of RunInference (DirectRunner) vs a bare batchPredict loop on the same
# bird-call model, translator and batches, CPU only, one JVM. Prints the RunInference/bare ratio.
# Usage: bench/infer-inference.sh [chunks=256] [batchSize=32] [rounds=3]
#   (from anywhere; extra JVM flags via JAVA_OPTS, e.g. JAVA_OPTS=-Dai.djl.pytorch.num_threads=2)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl models test-compile
cp_file=models/target/bench-classpath.txt
mvn -B -o -q -pl models dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
exec java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "models/target/classes:models/target/test-classes:$(cat "$cp_file")" \
  io.beamline.models.bench.InferenceBench "$@"
