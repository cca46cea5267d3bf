#!/usr/bin/env bash
# Benchmark of the io storage writers (WebDataset, OME-Zarr, NWB) against a plain buffered write
# of the same payload bytes in the same JVM, and the WebDataset writer against GNU tar (+ sync) of
# the same sample files; prints MB/s and the ratio writer/baseline (medians of the rounds).
# Usage: bench/storage-formats.sh [rounds=5]   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build io
exec java ${JAVA_OPTS:-} -cp "$(bench_classpath io)" \
  io.beamline.io.bench.StorageFormatsBench "$@"
