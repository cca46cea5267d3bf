#!/usr/bin/env bash
# Benchmark (#13 item 1): `constellation --streaming` as a user runs it (the packaged jar, the
# command line's production DirectRunner settings, the embedded broker): does it keep up with real
# time, how late after its close on the session clock each window's outputs land (sync report,
# Parquet file, shard: file times against session start + window end + the ingest's clock offset),
# and what share of the machine it takes while the session runs (CPU of the run's JVM and its
# broker's JVM from /proc, between the ingest's start and its end, over wall time x cores), with
# peak RSS of each; also the run JVM's own share, its busiest threads' shares (by name) and each
# window's worst lag. Writes bench/results/constellation-streaming-<time>.json.
# Usage: bench/constellation-streaming.sh [duration_s=30] [window_s=1] [constellation flags...]
# e.g. bench/constellation-streaming.sh 30 1 --runner=FlinkRunner
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-30}
win=${2:-1}
jar=runners/target/beamline.jar
[ -f "$jar" ] || mvn -B -o -q -DskipTests install
mkdir -p bench/results
shift 2 2>/dev/null || shift $#
exec /usr/bin/python3 - "$jar" "$dur" "$win" "$@" <<'PY'
import datetime, glob, json, os, subprocess, sys, tempfile, time

jar, dur, win = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
extra = sys.argv[4:]
tick = os.sysconf("SC_CLK_TCK")
cores = os.cpu_count()
work = tempfile.mkdtemp(prefix="bench-streaming-")
out = os.path.join(work, "out")
heap = open("runners/jvm-heap.opts").read().split()
cmd = ["java", *heap, "-Dai.djl.offline=true", "-jar", jar, "constellation", "--streaming",
       f"--duration={dur}", f"--window-seconds={win}", "--subject-id=b", "--session-id=s",
       f"--output-dir={out}", "--run-id=bench", *extra]
console = open(os.path.join(work, "console.txt"), "w+")
t0 = time.time()
p = subprocess.Popen(cmd, stdout=console, stderr=subprocess.STDOUT)

def tree(pid):
    pids = [pid]
    for c in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            kids = open(c).read().split()
        except OSError:
            continue  # a thread that ended meanwhile
        for k in kids:
            pids += tree(int(k))
    return pids

def cpu(pids, only=None):
    total = 0
    for q in (pids if only is None else [only]):
        try:
            f = open(f"/proc/{q}/stat").read().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / tick

def threads(pid):
    out = {}
    for t in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            raw = open(t).read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        name = "".join(c if not c.isdigit() else "#" for c in name)
        f = raw.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(f[11]) + int(f[12])) / tick
    return out

def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None

def text():
    console.flush()
    return open(console.name).read()

mark = {}
peak = {}
while p.poll() is None:
    s = text()
    pids = tree(p.pid)
    for q in pids:
        h = hwm(q)
        if h:
            peak[q] = max(peak.get(q, 0), h)
    if "ingest" not in mark and "Streaming ingest started" in s:
        mark["ingest"] = (time.time(), cpu(pids), cpu(pids, p.pid))
        th0 = threads(p.pid)
    if "ingest" in mark and "end" not in mark and time.time() - mark["ingest"][0] >= dur:
        mark["end"] = (time.time(), cpu(pids), cpu(pids, p.pid))
        th1 = threads(p.pid)
    time.sleep(0.1)
wall = time.time() - t0
if p.returncode != 0:
    sys.exit("run failed:\n" + text())

run = os.path.join(out, "runs", "bench")
opts = json.load(open(os.path.join(run, "options.json")))
start = opts.get("sessionStart") or opts.get("options", {}).get("sessionStart")
start_ms = datetime.datetime.fromisoformat(start.replace("Z", "+00:00")).timestamp() * 1000
ingest = json.load(open(os.path.join(run, "ingest.json")))
offset = ingest["clock_offset_ms"]
raw, gold = os.path.join(out, "raw/b/s"), os.path.join(out, "gold/b/s")
windows = sorted(f for f in os.listdir(os.path.join(raw, "sync_windows")) if "pane" not in f)
lags = []
by_window = []
for f in windows:
    w = int(f.split("-")[1].split(".")[0])
    close = start_ms + min(dur * 1000, (w + 1) * win * 1000) + offset
    for path in (os.path.join(raw, "sync_windows", f),
                 os.path.join(raw, "timeseries", "timeseries-w%06d.parquet" % w),
                 os.path.join(gold, "shard-%06d.tar" % w)):
        lags.append(os.path.getmtime(path) * 1000 - close)
    by_window.append(round(max(lags[-3:]) / 1000, 2))
lags.sort()
q = lambda x: lags[min(len(lags) - 1, int(x * len(lags)))] / 1000
(ti, ci, ri), (te, ce, re) = mark["ingest"], mark["end"]
share = (ce - ci) / ((te - ti) * cores)
share_run = (re - ri) / ((te - ti) * cores)
by_thread = {k: v - th0.get(k, 0) for k, v in th1.items()}
top_threads = {k: round(v / ((te - ti) * cores), 3)
               for k, v in sorted(by_thread.items(), key=lambda kv: -kv[1])[:16]}
rss = sorted(peak.values(), reverse=True)
res = {
    "when": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H%M%SZ"),
    "args": extra, "java_tool_options": os.environ.get("JAVA_TOOL_OPTIONS"), "duration_s": dur, "window_s": win, "cores": cores, "load": os.getloadavg()[0],
    "wall_s": round(wall, 1), "windows": len(windows),
    "behind_real_time_s": round(wall - dur, 1),
    "lag_s": {"p50": round(q(0.5), 2), "p99": round(q(0.99), 2), "max": round(lags[-1] / 1000, 2),
              "min": round(lags[0] / 1000, 2)},
    "lag_by_window_s": by_window,
    "cpu_share_during_session": round(share, 3),
    "cpu_share_run_jvm": round(share_run, 3),
    "cpu_share_top_threads": top_threads,
    "peak_rss_mb": {"run": round(rss[0]), "broker": round(rss[1]) if len(rss) > 1 else None},
}
print(json.dumps(res, indent=1))
path = f"bench/results/constellation-streaming-{res['when']}.json"
json.dump(res, open(path, "w"), indent=1)
print("written", path)
PY
