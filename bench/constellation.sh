#!/usr/bin/env bash
# Benchmark: samples/s of `constellation` end to end (drivers -> Kafka -> sync -> NWB/Zarr/Parquet/
# WebDataset) vs a plain Kafka producer loop sending the same record bytes to the same embedded
# broker, in one JVM, with the command line's DirectRunner settings (DirectTuning: checks off unless
# BEAMLINE_DIRECT_CHECKS=true). Prints both rates and the ratio end-to-end/plain per round.
# Usage: bench/constellation.sh [duration_s=5] [runner=DirectRunner|SparkRunner] [rounds=2]
#   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl pipelines -am test-compile -Dspotless.check.skip=true
cp_file=pipelines/target/bench-classpath.txt
mvn -B -o -q -pl pipelines dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
# The reactor's freshly built classes come first, ahead of any installed module jars.
own=io/target/classes:transforms/target/classes:models/target/classes:pipelines/target/classes
exec java -Xmx3g $(cat runners/spark-java17.opts 2>/dev/null) ${JAVA_OPTS:-} \
  -cp "$own:pipelines/target/test-classes:io/target/test-classes:$(cat "$cp_file")" \
  io.beamline.pipelines.constellation.ConstellationBench "$@"
