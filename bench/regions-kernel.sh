#!/usr/bin/env bash
# Benchmark of the regions-pipeline Jansen-Rit kernels (fast vs naive), 76 and 998 regions.
# Compiles the transforms module's test classes offline and runs the benchmark main in one JVM.
# Usage: bench/regions-kernel.sh [rounds=1]   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build transforms
exec java ${JAVA_OPTS:-} -cp "$(bench_classpath transforms)" \
  io.beamline.transforms.nmm.bench.JansenRitBench "$@"
