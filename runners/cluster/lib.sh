# Shell helpers of the cluster harnesses (spark-cluster.sh, slurm-cluster.sh); sourced, not run.

# Polls until $1 (a command) succeeds or $2 seconds pass.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
}

# Stops the process whose PID file is $1: TERM, then KILL after $2 seconds (default 20); removes
# the file.
stop_pid() {
  local f="$1" grace="${2:-20}"
  [[ -f "$f" ]] || return 0
  local pid
  pid="$(cat "$f")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait_for "! kill -0 $pid 2>/dev/null" "$grace" || kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# A free loopback TCP port, chosen by the kernel.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
