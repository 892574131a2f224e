"""What every baseline script shares: the command line, and the measurement around the work.

A script is run as  python3 SCRIPT.py MODEL [workload arguments] [--pool-threads N]
and prints JSON lines on stdout: its whole answer (the workload's own lines), then one line
{"timing": {...}} with its own wall time for the work (time.perf_counter around it, after the
imports and the set-up), its CPU over the same span (resource.getrusage, every thread) and its
peak RSS growth (the kernel's high-water mark, reset before the work, as concur-bench does).
When the OS refuses a thread, the only line is {"refused": "..."}.

CONCUR_PY_WRONG_ANSWER=1 is a TEST HOOK: the script drops one item of its answer, so that a
test can see the harness fail the cell with a diff. CONCUR_PY_REFUSED=1 is another: the script
reports a refusal without running, so that a test can see the cell reported refused.
"""
import argparse
import concurrent.futures
import gc
import json
import os
import resource
import sys
import threading
import time


def _status_kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def _reset_peak_rss():
    """Resets VmHWM to the current RSS; the current RSS in bytes, or None when not allowed."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    return _status_kib("VmRSS") * 1024


def _cpu_seconds():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def wrong_answer():
    """The test hook: true when the script must drop one item of its answer."""
    return os.environ.get("CONCUR_PY_WRONG_ANSWER") == "1"


def refused_hook():
    """The test hook: true when the script must report a refusal instead of running."""
    return os.environ.get("CONCUR_PY_REFUSED") == "1"


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")


class Refused(Exception):
    """The OS refused a resource (a thread): a measured limit, reported as such."""


def run(models, add_arguments, make_params, write_answer):
    """Parses the command line, runs models[MODEL](params) timed, and prints the answer.

    A model returns (answer, measured): measured is a dict of figures (may be empty).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=sorted(models))
    parser.add_argument("--pool-threads", type=int, default=None,
                        help="the default executor's size (Python's own default when absent)")
    add_arguments(parser)
    args = parser.parse_args()
    params = make_params(args)
    if args.pool_threads:
        # run_in_executor(None, ...) uses the loop's default executor: this sets its size only.
        params["pool_threads"] = args.pool_threads
    baseline = _reset_peak_rss()
    cpu_start = _cpu_seconds()
    start = time.perf_counter()
    try:
        if refused_hook():
            raise Refused("CONCUR_PY_REFUSED=1 (the test hook)")
        answer, measured = models[args.model](params)
    except Refused as e:
        emit({"refused": str(e)})
        return 0
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    growth = None if baseline is None else _status_kib("VmHWM") * 1024 - baseline
    write_answer(answer)
    emit({"timing": {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_growth": growth,
                     "measured": measured}})
    sys.stdout.flush()
    return 0


# Each Python cell and the function of each script that runs it (the pairs of
# baselines/python/counterparts.hpp).
MODEL_FUNCTIONS = {"py-sequential": "py_sequential", "py-threads": "py_threads",
                   "py-executor": "py_executor", "py-asyncio": "py_asyncio"}


def main(script, add_arguments, make_params, write_answer):
    """run() with the models the script defines: script is its globals()."""
    models = {cell: script[function] for cell, function in MODEL_FUNCTIONS.items()}
    return run(models, add_arguments, make_params, write_answer)


def count_and_delay(count):
    """The command line of COUNT blocking waits of --delay-ms each: (add_arguments, make_params)."""
    def add_arguments(parser):
        parser.add_argument("--" + count, type=int, required=True)
        parser.add_argument("--delay-ms", type=float, required=True)

    def make_params(args):
        return {count: getattr(args, count), "delay": args.delay_ms / 1000.0}

    return add_arguments, make_params


def thread_per_task(target, n):
    """target(i) for each i in range(n) on a threading.Thread of its own, each started in turn (the
    OS's refusal as Refused), then every one joined."""
    threads = []
    for i in range(n):
        t = threading.Thread(target=target, args=(i,))
        start_thread(t, len(threads), n)
        threads.append(t)
    for t in threads:
        t.join()


def default_executor(params):
    """The executor run_in_executor(None, ...) gets: Python's default, or the size asked for."""
    return concurrent.futures.ThreadPoolExecutor(max_workers=params.get("pool_threads"))


def start_thread(thread, started, wanted):
    """thread.start(), with the OS's refusal as Refused (how many had started)."""
    try:
        thread.start()
    except RuntimeError as e:
        raise Refused(f"{e} (thread {started + 1} of {wanted})") from None
