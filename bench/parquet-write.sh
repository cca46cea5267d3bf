#!/usr/bin/env bash
# Benchmark: rows/s of the project's Parquet writer (io ParquetTableIO.writeFile) vs DuckDB's
# `COPY (SELECT ...) TO 'x.parquet' (FORMAT PARQUET, COMPRESSION SNAPPY)` of the same rows, one
# thread each, in one JVM; prints both rates per round and the ratio of the medians.
# Usage: bench/parquet-write.sh [rows=500000] [rounds=3]   (from anywhere; JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build io
exec java -Xmx2g ${JAVA_OPTS:-} -cp "$(bench_classpath io)" \
  io.beamline.io.bench.ParquetWriteBench "$@"
