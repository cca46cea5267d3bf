#!/usr/bin/env bash
# A single-node SLURM on this machine, with accounting, so `sbatch` and `sacct` work as on a real
# cluster: munged, MariaDB, slurmdbd, slurmctld and slurmd, each with its own socket, port, state,
# pid and log files under DIR, bound to loopback and stopped by PID. Tests and users share it.
#
#   runners/cluster/slurm-cluster.sh start DIR     # prints the environment a caller needs
#   runners/cluster/slurm-cluster.sh env DIR       # prints it again
#   runners/cluster/slurm-cluster.sh stop DIR
#
# `start` prints `export SLURM_CONF=DIR/slurm.conf`: with it sbatch, squeue, scontrol and sacct
# talk to this cluster (and jobs inherit it, so a job can submit another). One node `localhost`
# with this machine's CPUs and memory, one partition `debug`, select/cons_tres (jobs share the
# node core by core). Needs the Debian packages slurmctld, slurmd, slurm-client, slurmdbd, munge
# and mariadb-server; daemons run as the calling user (root in CI).
set -euo pipefail

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
cmd="$1"
dir="$2"

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Stops what did start (the logs stay), so a failed start leaves no daemon behind.
fail() {
  echo "slurm-cluster: $1; see $2" >&2
  bash "${BASH_SOURCE[0]}" stop "$dir" >/dev/null 2>&1 || true
  exit 1
}

print_env() {
  echo "export SLURM_CONF=$dir/slurm.conf"
}

case "$cmd" in
  start)
    for tool in munged mungekey mariadbd mariadb-install-db mariadb slurmdbd slurmctld slurmd sbatch sacct; do
      if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$tool" ]]; then
        echo "slurm-cluster: $tool not found; install the Debian packages slurmctld slurmd slurm-client slurmdbd munge mariadb-server" >&2
        exit 2
      fi
    done
    PATH="$PATH:/usr/sbin"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ "$dir" =~ [[:space:]] ]]; then
      echo "slurm-cluster: DIR may not hold spaces (slurm.conf cannot quote them): $dir" >&2
      exit 2
    fi
    # munged checks that no one else can write where its key, socket and logs are.
    chmod 700 "$dir"
    mkdir -p "$dir/munge" "$dir/mysql" "$dir/ctld" "$dir/spool" "$dir/log"
    chmod 700 "$dir/munge"
    user="$(id -un)"

    # Munge: a key of our own and a daemon on our own socket.
    mungekey --create --force --keyfile="$dir/munge/munge.key" >/dev/null 2>&1 ||
      mungekey --create --force -k "$dir/munge/munge.key"
    munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
      --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
      --seed-file="$dir/munge/munged.seed" >>"$dir/log/munged.log" 2>&1 ||
      fail "munged did not start" "$dir/log/munged.log"
    wait_for "[[ -S '$dir/munge/munge.socket' && -s '$dir/munge/munged.pid' ]]" 20 ||
      fail "munged did not start" "$dir/log/munged.log"

    # MariaDB with its data directory here, on a loopback port, for slurmdbd.
    db_port="$(free_port)"
    if [[ ! -d "$dir/mysql/mysql" ]]; then
      mariadb-install-db --no-defaults --datadir="$dir/mysql" --user="$user" \
        --auth-root-authentication-method=socket --skip-test-db >"$dir/log/mariadb-install.log" 2>&1 ||
        fail "mariadb-install-db failed" "$dir/log/mariadb-install.log"
    fi
    mariadbd --no-defaults --datadir="$dir/mysql" --user="$user" --bind-address=127.0.0.1 \
      --port="$db_port" --socket="$dir/mysql/mysqld.sock" --pid-file="$dir/mysql/mysqld.pid" \
      --log-error="$dir/log/mariadb.log" --innodb-buffer-pool-size=64M \
      --innodb-lock-wait-timeout=900 >>"$dir/log/mariadb.log" 2>&1 &
    echo $! >"$dir/mariadb.pid"
    sql() { mariadb --no-defaults --socket="$dir/mysql/mysqld.sock" -u root "$@"; }
    wait_for "sql -e 'SELECT 1' >/dev/null 2>&1" 60 || fail "MariaDB did not start" "$dir/log/mariadb.log"
    db_pass="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    sql <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE OR REPLACE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$db_pass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL

    # SLURM: slurmdbd, slurmctld and one slurmd, each on its own loopback port.
    dbd_port="$(free_port)"
    ctld_port="$(free_port)"
    slurmd_port="$(free_port)"
    auth="AuthInfo=socket=$dir/munge/munge.socket"
    cat >"$dir/slurmdbd.conf" <<CONF
$auth
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$dbd_port
SlurmUser=$user
PidFile=$dir/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=$db_pass
StorageLoc=slurm_acct_db
CONF
    chmod 600 "$dir/slurmdbd.conf"
    mem_mb=$(($(awk '/^MemTotal/ {print $2}' /proc/meminfo) / 1024))
    cat >"$dir/slurm.conf" <<CONF
ClusterName=beamline
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$user
$auth
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool/%n
StateSaveLocation=$dir/ctld
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
MailProg=/bin/true
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$dbd_port
# Clients and slurmctld reach slurmdbd with the munge socket named here, not AuthInfo's.
AccountingStoragePass=$dir/munge/munge.socket
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
JobCompType=jobcomp/none
# Short scheduling and accounting intervals: on one node jobs start and finish within seconds.
SchedulerParameters=sched_interval=2
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"

    slurmdbd -D >>"$dir/log/slurmdbd.log" 2>&1 &
    echo $! >"$dir/slurmdbd.pid.own"
    wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $dbd_port), 1)' 2>/dev/null" 60 ||
      fail "slurmdbd did not start" "$dir/log/slurmdbd.log"
    # The cluster and its user's association, so jobs are accounted (sacct lists them); a
    # restart in the same DIR finds them in the database already.
    if [[ -z "$(sacctmgr -n -P show user "$user" format=user 2>/dev/null)" ]]; then
      sacctmgr -i add cluster beamline >/dev/null
      sacctmgr -i add account beamline Cluster=beamline Description=harness Organization=harness >/dev/null
      sacctmgr -i add user "$user" Account=beamline Cluster=beamline >/dev/null
    fi

    slurmctld -D -i >>"$dir/log/slurmctld.log" 2>&1 &
    echo $! >"$dir/slurmctld.pid.own"
    wait_for "scontrol ping 2>/dev/null | grep -q UP" 60 || fail "slurmctld did not start" "$dir/log/slurmctld.log"
    slurmd -D -N localhost >>"$dir/log/slurmd.log" 2>&1 &
    echo $! >"$dir/slurmd.pid.own"
    wait_for "sinfo -h -N -o %T 2>/dev/null | grep -qx idle" 60 ||
      fail "slurmd did not register (node state: $(sinfo -h -N -o %T 2>&1))" "$dir/log/slurmd.log"
    print_env
    ;;
  env)
    dir="$(cd "$dir" && pwd)"
    [[ -f "$dir/slurm.conf" ]] || {
      echo "slurm-cluster: no cluster in $dir; start one first" >&2
      exit 2
    }
    print_env
    ;;
  stop)
    [[ -d "$dir" ]] || exit 0
    dir="$(cd "$dir" && pwd)"
    PATH="$PATH:/usr/sbin"
    if [[ -f "$dir/slurmctld.pid.own" ]] && kill -0 "$(cat "$dir/slurmctld.pid.own")" 2>/dev/null; then
      # Ends running jobs' steps and both daemons cleanly; the PIDs below are the fallback.
      SLURM_CONF="$dir/slurm.conf" timeout 20 scontrol shutdown >/dev/null 2>&1 || true
    fi
    stop_pid "$dir/slurmd.pid.own"
    stop_pid "$dir/slurmctld.pid.own"
    stop_pid "$dir/slurmdbd.pid.own"
    stop_pid "$dir/mariadb.pid"
    stop_pid "$dir/munge/munged.pid"
    ;;
  *)
    usage
    ;;
esac
