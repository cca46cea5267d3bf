#!/usr/bin/env bash
# Benchmark: chunks/s of RunInference (DirectRunner, one worker thread) vs a bare batchPredict loop
# over the same chunk WAV files, with the same bundled bird-call model, translator (read WAV +
# log-mel + CNN) and batch size, CPU only, one JVM. Prints RunInference/bare ratios.
# Usage: bench/infer-inference.sh [chunks=384] [batchSize=32] [rounds=3]
#   (from anywhere; extra JVM flags via JAVA_OPTS, e.g. JAVA_OPTS=-Dai.djl.pytorch.num_threads=2)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl models -am test-compile
cp_file=models/target/bench-classpath.txt
mvn -B -o -q -pl models dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
# This checkout's own modules, never the snapshots of ~/.m2.
deps=$(tr ':' '\n' <"$cp_file" | grep -v '/io/beamline/' | paste -sd: -)
exec java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "models/target/classes:models/target/test-classes:transforms/target/classes:io/target/classes:$deps" \
  io.beamline.models.bench.InferenceBench "$@"
