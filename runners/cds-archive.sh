#!/usr/bin/env bash
# Makes target/beamline.jsa, a class-data-sharing archive (JDK AppCDS, dynamic) of the classes a
# short run loads: the JVM's own, picocli, Beam and its DirectRunner, the Kafka clients, Parquet,
# the writers. ./beamline maps it at start, so every command starts ~0.4 s (--help) to ~2 s (a
# 1 s constellation session) sooner: the classes come parsed and verified instead of read from
# the jar (docs/performance.md, "Start-up"). The build runs this after shading the jar; the
# archive is valid for that jar and that java only (beamline.jsa.java names it), and the JVM
# checks the jar again at each start. A failure only leaves no archive: the launcher then starts
# without one. Usage: runners/cds-archive.sh TARGET/beamline.jar
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$1"
archive="${jar%.jar}.jsa"
rm -f "$archive" "$archive.java"
java_bin="$(readlink -f "$(command -v java)")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
read -r -a opens < "$here/spark-java17.opts"
read -r -a heap < "$here/jvm-heap.opts"
# The training run: a 1 s constellation session with its embedded broker, in a scratch directory.
if timeout 180 java "${opens[@]}" "${heap[@]}" -XX:ArchiveClassesAtExit="$tmp/beamline.jsa" \
  -Xlog:cds=off -Xlog:cds+dynamic=off -Dai.djl.offline=true -jar "$jar" \
  constellation --duration 1 --output-dir "$tmp/out" --subject-id cds --session-id training \
  >"$tmp/log" 2>&1 && [[ -s "$tmp/beamline.jsa" ]]; then
  cp "$tmp/beamline.jsa" "$archive.tmp" && mv -f "$archive.tmp" "$archive" \
    && echo "$java_bin" > "$archive.java" \
    && echo "cds-archive: $archive ($(du -m "$archive" | cut -f1) MB) for $java_bin"
else
  rm -f "$archive.tmp"
  echo "cds-archive: no archive made (the launcher starts without one): $(tail -n 1 "$tmp/log")"
fi
exit 0
