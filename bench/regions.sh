#!/usr/bin/env bash
# Benchmark of the whole regions pipeline (DirectRunner, one worker thread) vs the bare Jansen-Rit
# kernel on the same network in the same JVM: simulated seconds per wall second per region and
# their ratio, for 76 and 998 regions. Builds the modules' classes offline first.
# Usage: bench/regions.sh [regions:simulated_s[:count] ...]   (default: 76:20:2 998:4:1)
#   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build pipelines
exec java -Xmx4g ${JAVA_OPTS:-} -cp "$(bench_classpath pipelines)" \
  io.beamline.pipelines.regions.RegionsBench "$@"
