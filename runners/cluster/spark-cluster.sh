#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from the shaded beamline jar (no Spark download):
# one master and N workers, each a separate JVM with its own work and temporary directories, as
# separate nodes would have them, bound to loopback and stopped by PID. Tests and users share it.
#
#   runners/cluster/spark-cluster.sh start DIR [WORKERS=2] [CORES=1] [MEMORY=2g]
#   runners/cluster/spark-cluster.sh submit DIR <beamline arguments...>
#   runners/cluster/spark-cluster.sh stop DIR
#
# DIR holds the cluster's state: spark-home/jars (a link to the jar), master/, worker-<i>/{work,tmp},
# *.pid, *.log and master.url. BEAMLINE_JAR overrides the jar (default runners/target/beamline.jar);
# JAVA the java binary. `submit` runs org.apache.spark.deploy.SparkSubmit (what the spark-submit
# script runs) in client mode with the Java 17 flags for the driver; each executor's temporary
# directory is its own working directory under its worker (nothing is shared through /tmp).
# SUBMIT_JAVA_OPTS adds JVM options to the driver and the executors of `submit` (tests give
# "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC": a short application spends half its CPU compiling).
# Worker clean-up is on: every CLEANUP_INTERVAL seconds (default 30) each worker removes the
# directories of ended applications (the executors' logs and their copy of the jar) in which nothing
# changed for CLEANUP_TTL seconds (default 60); tests set both short.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runners="$(dirname "$here")"
JAVA="${JAVA:-java}"
BEAMLINE_JAR="${BEAMLINE_JAR:-$runners/target/beamline.jar}"

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
cmd="$1"
dir="$2"
shift 2

# shellcheck source=lib.sh
source "$here/lib.sh"

case "$cmd" in
  start)
    workers="${1:-2}"
    cores="${2:-1}"
    memory="${3:-2g}"
    if [[ ! -f "$BEAMLINE_JAR" ]]; then
      echo "spark-cluster: $BEAMLINE_JAR not found; build it with: mvn -B -DskipTests package" >&2
      exit 2
    fi
    mkdir -p "$dir/spark-home/jars" "$dir/master"
    dir="$(cd "$dir" && pwd)"
    ln -sfn "$(cd "$(dirname "$BEAMLINE_JAR")" && pwd)/$(basename "$BEAMLINE_JAR")" \
      "$dir/spark-home/jars/beamline.jar"
    export SPARK_HOME="$dir/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
    # Ports chosen by the kernel, so parallel clusters (and CI neighbours) never collide.
    port="$(free_port)"
    "$JAVA" -Xmx512m -Djava.io.tmpdir="$dir/master" -Dlog4j2.configurationFile="$here/log4j2-daemon.xml" -cp "$SPARK_HOME/jars/*" \
      org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
      >"$dir/master.log" 2>&1 &
    echo $! >"$dir/master.pid"
    url="spark://127.0.0.1:$port"
    if ! wait_for "grep -q 'I have been elected leader' '$dir/master.log'" 60; then
      echo "spark-cluster: the master did not start; see $dir/master.log" >&2
      exit 1
    fi
    for i in $(seq 1 "$workers"); do
      w="$dir/worker-$i"
      mkdir -p "$w/work" "$w/tmp"
      "$JAVA" -Xmx512m -Djava.io.tmpdir="$w/tmp" -Dlog4j2.configurationFile="$here/log4j2-daemon.xml" \
        -Dspark.worker.cleanup.enabled=true \
        -Dspark.worker.cleanup.interval="${CLEANUP_INTERVAL:-30}" \
        -Dspark.worker.cleanup.appDataTtl="${CLEANUP_TTL:-60}" \
        -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
        --port 0 --webui-port 0 --cores "$cores" --memory "$memory" --work-dir "$w/work" "$url" \
        >"$dir/worker-$i.log" 2>&1 &
      echo $! >"$dir/worker-$i.pid"
    done
    for i in $(seq 1 "$workers"); do
      if ! wait_for "grep -q 'Successfully registered with master' '$dir/worker-$i.log'" 60; then
        echo "spark-cluster: worker $i did not register; see $dir/worker-$i.log" >&2
        exit 1
      fi
    done
    echo "$url" >"$dir/master.url"
    echo "$url"
    ;;
  submit)
    [[ -f "$dir/master.url" ]] || {
      echo "spark-cluster: no cluster in $dir; start one first" >&2
      exit 2
    }
    dir="$(cd "$dir" && pwd)"
    url="$(cat "$dir/master.url")"
    export SPARK_HOME="$dir/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
    # shellcheck disable=SC2046,SC2086
    exec "$JAVA" $(cat "$runners/spark-java17.opts") ${SUBMIT_JAVA_OPTS:-} -Dai.djl.offline=true \
      -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit \
      --master "$url" --deploy-mode client --class io.beamline.runners.Beamline \
      --conf spark.executor.memory=1g \
      --conf "spark.executor.extraJavaOptions=$(cat "$runners/spark-java17.opts") ${SUBMIT_JAVA_OPTS:-} -Dai.djl.offline=true -Djava.io.tmpdir=." \
      "$SPARK_HOME/jars/beamline.jar" "$@"
    ;;
  stop)
    for f in "$dir"/worker-*.pid; do
      [[ -e "$f" ]] && stop_pid "$f" 15
    done
    stop_pid "$dir/master.pid" 15
    rm -f "$dir/master.url"
    ;;
  *)
    usage
    ;;
esac
