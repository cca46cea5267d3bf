# Sourced by the bench scripts (run from the repository root): builds the reactor's classes offline
# and gives a benchmark JVM its classpath. `bench/run` builds once for all and sets BENCH_PREBUILT=1
# so that each script it calls skips its own Maven start.

# Test-compiles MODULE and the modules it depends on, and writes each one's test classpath to
# <module>/target/bench-classpath.txt.
bench_build() {
  [ -n "${BENCH_PREBUILT:-}" ] && return 0
  mvn -B -o -q -pl "$1" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench-classpath.txt -Dspotless.check.skip=true
}

# MODULE's test classpath, absolute: the reactor's freshly built classes of MODULE and the modules
# before it come first, ahead of any installed module jars (~/.m2 snapshots may be older).
bench_classpath() {
  local cp="" m
  for m in io transforms models pipelines runners; do
    cp="$cp$PWD/$m/target/classes:$PWD/$m/target/test-classes:"
    [ "$m" = "$1" ] && break
  done
  echo "$cp$(cat "$PWD/$1/target/bench-classpath.txt")"
}
