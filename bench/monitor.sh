#!/usr/bin/env bash
# Benchmark: the monitor (`beamline monitor serve`) under concurrent loopback clients, in one JVM:
# REST reads (a filtered, paged STF list) and writes (workflow messages, applied and journalled)
# against a plain JDK HTTP server answering the same bytes from memory to the same clients (ratio
# monitor/plain per round), then delivery of 2,000 messages to that many live-stream (SSE)
# clients; ends with the JVM's peak RSS.
# Usage: bench/monitor.sh [clients=50] [seconds=5] [h2|jdbc:postgresql://HOST:PORT/DB?user=U]
#   (from anywhere; extra JVM flags via JAVA_OPTS)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_build runners
exec java -Xmx2g ${JAVA_OPTS:-} -cp "$(bench_classpath runners)" \
  io.beamline.runners.monitor.MonitorBench "$@"
