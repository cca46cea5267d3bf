#!/usr/bin/env bash
# Benchmark of the io storage writers (WebDataset, OME-Zarr, NWB) against a plain buffered write
# of the same payload bytes in the same JVM; prints MB/s and the ratio writer/baseline.
# Usage: bench/storage-formats.sh   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl io test-compile
cp_file=io/target/bench.classpath
mvn -B -o -q -pl io dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
exec java ${JAVA_OPTS:-} -cp "io/target/classes:io/target/test-classes:$(cat "$cp_file")" \
  io.beamline.io.bench.StorageFormatsBench "$@"
