#!/usr/bin/env bash
# Benchmark: chunks/s of the whole `infer run` pipeline (DirectRunner, every output written) vs a
# bare loop reading the same chunk files and calling batchPredict with the same model, translator
# and batches, CPU only, one JVM. Prints both rates and the pipeline/bare ratio.
# Usage: bench/infer-run.sh [chunks=128] [batchSize=16] [rounds=3]
#   (from anywhere; extra JVM flags via JAVA_OPTS, e.g. JAVA_OPTS=-Dai.djl.pytorch.num_threads=2)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl pipelines -am test-compile
cp_file=pipelines/target/bench-classpath.txt
mvn -B -o -q -pl pipelines org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
cp="pipelines/target/classes:pipelines/target/test-classes"
for m in io transforms models; do cp="$cp:$m/target/classes"; done
exec java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "$cp:$(cat "$cp_file")" \
  io.beamline.pipelines.bench.InferRunBench "$@" 2> >(grep -v -E "WARN|^infer run \[" >&2)
