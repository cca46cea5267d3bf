#!/usr/bin/env bash
# GPU benchmark (not run in CI): segments/s of the bundled bird-call model and of a model of
# BirdNET's cost (~0.85 GFLOPs per 3 s segment, built with DJL blocks, seeded random weights) at
# fixed batch shapes, through the project's InferenceWorker and through a bare DJL predict loop on
# the same batches in the same JVM: medians of rounds, their ratio, peak RSS of each side (see
# models/src/test/java/io/beamline/models/bench/InferGpuBench.java).
# Built with -Pcuda (DJL 0.33, PyTorch 2.5.1; the CUDA 12.4 natives first on the class path): runs on
# GPU 0 when PyTorch sees one, else on the CPU, so it can be tried anywhere with small counts:
#   bench/infer-gpu.sh 128 1 32,64
# Usage: bench/infer-gpu.sh [segments=4096] [rounds=3] [batches=32,64,128,256] [models=birdcall,birdnet-like]
#   PROFILE= bench/infer-gpu.sh ...  the default build's CPU natives (PyTorch 2.7.1) instead
#   JAVA_OPTS=...                    extra JVM flags, e.g. -Dai.djl.pytorch.num_threads=2
# Needs the -Pcuda dependencies in ~/.m2 (once, online: mvn -B -Pcuda dependency:resolve -pl models -am).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${PROFILE--Pcuda}
mvn -B -o -q $profile -pl models -am test-compile
cp_file=models/target/bench-gpu-classpath.txt
mvn -B -o -q $profile -pl models org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >/dev/null
# DJL loads the first natives jar on the class path that suits the machine: CUDA before CPU.
deps=$( { tr ':' '\n' <"$cp_file" | grep 'pytorch-native-cu' || true
          tr ':' '\n' <"$cp_file" | grep -v 'pytorch-native-cu'; } | paste -sd: -)
cp="models/target/classes:models/target/test-classes"
for m in io transforms; do cp="$cp:$m/target/classes"; done
exec java -Xmx4g -Dai.djl.offline=true ${JAVA_OPTS:-} -cp "$cp:$deps" \
  io.beamline.models.bench.InferGpuBench "$@" 2> >(grep -v -E "WARN|^SLF4J: " >&2)
