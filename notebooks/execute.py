#!/usr/bin/python3
"""Executes Beamline's notebooks headless with the Java kernel, as CI does.

    /usr/bin/python3 notebooks/execute.py --kernel-jar rapaio-jupyter-kernel-3.0.1.jar \
        --out notebooks/target/executed notebooks/*.ipynb

Each notebook runs top to bottom in a fresh kernel; the executed copy (with outputs) is written
under --out, never over the stored notebook (stored notebooks carry no outputs). A cell error
fails the notebook at once. The kernel's start-up sometimes fails ("Kernel didn't respond", a race
in the kernel); only that start-up is retried, up to --startup-tries times. Exit status: 0 when
every notebook ran, 1 when one failed, 2 for bad arguments.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL = "beamline-java"


def write_kernel_spec(root, kernel_jar, heap):
    spec_dir = os.path.join(root, "kernels", KERNEL)
    os.makedirs(spec_dir, exist_ok=True)
    spec = {
        "argv": [
            os.environ.get("BEAMLINE_NOTEBOOK_JAVA", "java"),
            "-Djava.awt.headless=true",
            "-Dai.djl.offline=true",
            "-Xmx" + heap,
            "-jar",
            os.path.abspath(kernel_jar),
            "{connection_file}",
        ],
        "display_name": "Java (Beamline)",
        "language": "java",
        "interrupt_mode": "message",
        # Values here override the caller's environment: no RJK_CLASSPATH, so CI may set it.
        "env": {"RJK_TIMEOUT_MILLIS": "-1"},
    }
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=1)


def is_startup_failure(error):
    text = str(error)
    return "Kernel didn't respond" in text or "Kernel died before replying" in text


def execute(path, out_dir, timeout, startup_tries):
    for attempt in range(1, startup_tries + 1):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            startup_timeout=15,
            kernel_name=KERNEL,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        )
        started = time.time()
        try:
            client.execute()
        except CellExecutionError as e:
            save(nb, path, out_dir)
            print(f"{path}: a cell failed:\n{e}", file=sys.stderr)
            return False
        except RuntimeError as e:
            if is_startup_failure(e) and attempt < startup_tries:
                print(f"{path}: kernel start-up failed ({e}); retrying", file=sys.stderr)
                continue
            print(f"{path}: {e}", file=sys.stderr)
            return False
        save(nb, path, out_dir)
        print(f"{path}: {len(nb.cells)} cells ran in {time.time() - started:.1f} s")
        return True
    return False


def save(nb, path, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, os.path.basename(path))
    tmp = target + ".tmp"
    nbformat.write(nb, tmp)
    os.replace(tmp, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--kernel-jar", required=True, help="rapaio-jupyter-kernel jar")
    parser.add_argument("--out", required=True, help="folder for the executed copies")
    parser.add_argument("--heap", default="3g", help="kernel JVM heap (default 3g)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--startup-tries", type=int, default=6)
    args = parser.parse_args()
    if not os.path.isfile(args.kernel_jar):
        print(f"--kernel-jar {args.kernel_jar}: no such file; build with mvn first", file=sys.stderr)
        return 2
    for nb in args.notebooks:
        if not os.path.isfile(nb):
            print(f"{nb}: no such notebook", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="beamline-kernel-") as root:
        write_kernel_spec(root, args.kernel_jar, args.heap)
        os.environ["JUPYTER_PATH"] = root + os.pathsep + os.environ.get("JUPYTER_PATH", "")
        failed = [nb for nb in args.notebooks if not execute(nb, args.out, args.timeout, args.startup_tries)]
    if failed:
        print(f"{len(failed)} of {len(args.notebooks)} notebooks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
