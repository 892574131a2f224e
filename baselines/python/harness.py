"""What every baseline script shares: the command line, and the measurement around the work.

A script is run as  python3 SCRIPT.py MODEL [workload arguments] [--pool-threads N]
and prints JSON lines on stdout: its whole answer (the workload's own lines), then one line
{"timing": {...}} with its own wall time for the work (time.perf_counter around it, after the
imports and the set-up), its CPU over the same span (resource.getrusage, every thread) and its
peak RSS growth (the kernel's high-water mark, reset before the work, as concur-bench does).
When the OS refuses a thread, the only line is {"refused": "..."}.

With --serve instead, the script is a kept interpreter (concur-bench starts one per script and
keeps it across rounds and cells, so that the start-up and the imports are paid once): it prints
{"ready": PID}, then reads one request per line on stdin, {"argv": [MODEL, ...], "env": {...}}:
the command line above (its bytes as code points 0-255) and the test hooks' values (null: unset).
Each request runs in a fork of the interpreter, as a fresh process would run it (nothing of one
run is left for the next: its threads, executors and loops end with its process, and so does a
refusal), and prints the lines above; the interpreter adds {"started": PID}, the fork's pid, then
{"end": STATUS}, its exit status (128 + the signal that ended it), and reads the next request.
A fork dies with the interpreter (PR_SET_PDEATHSIG).

CONCUR_PY_WRONG_ANSWER=1 is a TEST HOOK: the script drops one item of its answer, so that a
test can see the harness fail the cell with a diff. CONCUR_PY_REFUSED=1 is another: the script
reports a refusal without running, so that a test can see the cell reported refused.
"""
import argparse
import concurrent.futures
import ctypes
import gc
import json
import os
import resource
import sys
import threading
import time
import traceback


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
    """Parses the command line, runs models[MODEL](params) timed, and prints the answer; with
    --serve, does so for each request on stdin.

    A model returns (answer, measured): measured is a dict of figures (may be empty).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=sorted(models))
    parser.add_argument("--pool-threads", type=int, default=None,
                        help="the default executor's size (Python's own default when absent)")
    add_arguments(parser)

    def run_one(argv):
        return _run_once(parser.parse_args(argv), models, make_params, write_answer)

    if sys.argv[1:] == ["--serve"]:
        return _serve(run_one)
    return run_one(sys.argv[1:])


def _run_once(args, models, make_params, write_answer):
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


def _serve(run_one):
    """The kept interpreter's loop (--serve): a fork per request, then its end."""
    emit({"ready": os.getpid()})
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()  # nothing buffered for the fork to write twice
        child = os.fork()
        if child == 0:
            _run_request(request, run_one)
        emit({"started": child})
        sys.stdout.flush()
        _, status = os.waitpid(child, 0)
        code = os.waitstatus_to_exitcode(status)
        emit({"end": code if code >= 0 else 128 - code})
        sys.stdout.flush()
    return 0


def _run_request(request, run_one):
    """In the fork: one run, then the fork's end, whatever happens (never returns)."""
    code = 1
    try:
        _die_with(os.getppid())
        for name, value in request["env"].items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = _from_wire(value)
        code = run_one([_from_wire(a) for a in request["argv"]])
    except SystemExit as e:  # argparse's usage error
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _from_wire(text):
    """An argument as the command line would give it: the wire has its bytes as code points 0-255,
    and Python decodes its command line as os.fsdecode does."""
    return os.fsdecode(text.encode("latin-1"))


def _die_with(parent):
    """Asks the kernel for SIGKILL when the interpreter ends (killed on a timeout, say)."""
    pr_set_pdeathsig, sigkill = 1, 9
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the request was made
        os._exit(1)


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
