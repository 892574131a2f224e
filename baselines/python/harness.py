"""What every baseline script shares: the command line, and the measurement around the work.

A script is run as
  python3 SCRIPT.py MODEL [workload arguments] [--pool-threads N] [--worker-processes N]
and prints JSON lines on stdout: its whole answer (the workload's own lines), then one line
{"timing": {...}} with its own wall time for the work (time.perf_counter around it, after the
imports and the set-up), its CPU over the same span (resource.getrusage, every thread, and its
child processes once reaped) and its peak RSS growth (the kernel's high-water mark, reset before
the work, as concur-bench does; plus each child process's own, see Children). When the OS refuses
a thread or a process, the only line is {"refused": "..."}; when a child process dies mid-run
(killed, say), it is {"failed": "..."}, naming it, and the run ends with status 1.

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
CONCUR_PY_KILL_WORKER=1 is a third: in py-processes, the worker process that takes the first job
(or the first process started) kills itself with SIGKILL, so that a test can see the cell fail.
"""
import argparse
import concurrent.futures
from concurrent.futures.process import BrokenProcessPool
import ctypes
import errno
import gc
import json
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import queue
import resource
import signal
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


def _cpu_seconds(who=(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)):
    """The run's CPU so far: its own, every thread, and its child processes' once reaped."""
    total = 0.0
    for w in who:
        u = resource.getrusage(w)
        total += u.ru_utime + u.ru_stime
    return total


def wrong_answer():
    """The test hook: true when the script must drop one item of its answer."""
    return os.environ.get("CONCUR_PY_WRONG_ANSWER") == "1"


def refused_hook():
    """The test hook: true when the script must report a refusal instead of running."""
    return os.environ.get("CONCUR_PY_REFUSED") == "1"


def kill_worker_hook():
    """The test hook: true when a worker process must kill itself at its first job."""
    return os.environ.get("CONCUR_PY_KILL_WORKER") == "1"


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")


class Refused(Exception):
    """The OS refused a resource (a thread, a process): a measured limit, reported as such."""


class WorkerDied(Exception):
    """A child process of the run ended before its work was done."""


def run(models, add_arguments, make_params, write_answer):
    """Parses the command line, runs models[MODEL](params) timed, and prints the answer; with
    --serve, does so for each request on stdin.

    A model returns (answer, measured): measured is a dict of figures (may be empty).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=sorted(models))
    parser.add_argument("--pool-threads", type=int, default=None,
                        help="the default executor's size (Python's own default when absent)")
    parser.add_argument("--worker-processes", type=int, default=None,
                        help="py-processes' worker processes (the core count when absent)")
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
    params["worker_processes"] = max(1, args.worker_processes or os.cpu_count() or 1)
    global _children
    _children = Children()
    baseline = _reset_peak_rss()
    cpu_start = _cpu_seconds()
    children_cpu_start = _cpu_seconds([resource.RUSAGE_CHILDREN])
    start = time.perf_counter()
    try:
        if refused_hook():
            raise Refused("CONCUR_PY_REFUSED=1 (the test hook)")
        answer, measured = models[args.model](params)
    except Refused as e:
        emit({"refused": str(e)})
        return 0
    except (WorkerDied, BrokenProcessPool) as e:
        emit({"failed": _children.died(e)})
        return 1
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    if _children.processes:  # what of the CPU its worker processes spent (reaped by now)
        measured["workers_cpu_s"] = _cpu_seconds([resource.RUSAGE_CHILDREN]) - children_cpu_start
    growth = None if baseline is None else _status_kib("VmHWM") * 1024 - baseline
    children_growth = _children.peak_rss_growth()
    growth = None if children_growth is None or growth is None else growth + children_growth
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
                   "py-executor": "py_executor", "py-asyncio": "py_asyncio",
                   "py-processes": "py_processes"}


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


def worst_and_p99_gap_ms(ticks):
    """A heartbeat's worst gap between its ticks (perf_counter times) and the 99th percentile
    (nearest rank, as models/heartbeat.hpp has it), in ms; None with fewer than two ticks."""
    gaps = sorted((b - a) * 1000 for a, b in zip(ticks, ticks[1:]))
    if not gaps:
        return None
    rank = min(max(math.ceil(0.99 * len(gaps)), 1), len(gaps))
    return gaps[-1], gaps[rank - 1]


def default_executor(params):
    """The executor run_in_executor(None, ...) gets: Python's default, or the size asked for."""
    return concurrent.futures.ThreadPoolExecutor(max_workers=params.get("pool_threads"))


def start_thread(thread, started, wanted):
    """thread.start(), with the OS's refusal as Refused (how many had started)."""
    try:
        thread.start()
    except RuntimeError as e:
        raise Refused(f"{e} (thread {started + 1} of {wanted})") from None


# ---- py-processes: the run's child processes

# The workers' start method: fork, deliberately. The run is itself a fork of the kept interpreter,
# the script imported and no thread started yet (a pool forks all of its workers at its first
# submit, before it starts its manager thread), so a fork gives each worker the script's functions
# and the parent's state as it stands (dirsearch's open directory descriptors and table of
# sub-trees, the pipe of Children) without an interpreter's start-up and imports, as the C++
# processes model's prefork does; forkserver and spawn would start each worker afresh, inheriting
# nothing. A child dies with the run (PR_SET_PDEATHSIG), as the run dies with the interpreter.
_FORK = multiprocessing.get_context("fork")


class Children:
    """The run's child processes, and the peak-RSS growth each one reports.

    Each child measures its own growth over its life: its high-water mark is reset as it starts
    (what it shares with the parent at the fork is resident already: only what it adds counts) and
    read as it ends, after its last answer and its queues' flushing (a multiprocessing finalizer
    that runs last in the child's exit). It writes the figure to a pipe made for the run, which the
    parent reads once its children are reaped; their sum, added to the parent's own growth, is the
    run's. The C++ processes model counts its workers so too (models/processes.hpp)."""

    def __init__(self):
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.read_fd, False)
        self.processes = {}  # pid -> multiprocessing.Process: every child started, pooled or not
        self.kill_first = kill_worker_hook()

    def peak_rss_growth(self):
        """The children's summed growth (0 when none ran); None when one could not reset its mark.
        Reads what the children have written without waiting: they are reaped by now."""
        os.close(self.write_fd)
        data = b""
        while True:
            try:
                chunk = os.read(self.read_fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        os.close(self.read_fd)
        figures = data.split()
        return None if b"none" in figures else sum(int(f) for f in figures)

    def died(self, error):
        """Ends every child still running, and says which ended first, and how (the run fails)."""
        dead = {pid: p.exitcode for pid, p in self.processes.items()
                if p.exitcode not in (None, 0, -signal.SIGTERM)}  # SIGTERM: a broken pool's
        for p in self.processes.values():
            if p.exitcode is None:
                p.kill()
        for p in self.processes.values():
            p.join()
        if not dead:
            dead = {pid: p.exitcode for pid, p in self.processes.items() if p.exitcode != 0}
        named = ", ".join(f"pid {pid} {_how_ended(code)}" for pid, code in sorted(dead.items()))
        others = ", ".join(str(pid) for pid in sorted(self.processes) if pid not in dead)
        return (f"a worker process ended mid-run ({named or 'none named'}); the run's other "
                f"worker processes were ended (pids {others or 'none'}) and every one reaped "
                f"({type(error).__name__}: {error})")


_children = None  # the run's Children, made as the run starts (inherited by its children)


def _how_ended(code):
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


def _child_starts(parent):
    """In a child, first: it dies with the run, and measures its own peak-RSS growth to its end."""
    _die_with(parent)
    baseline = _reset_peak_rss()
    multiprocessing.util.Finalize(None, _report_growth, args=(_children.write_fd, baseline),
                                  exitpriority=-100)


def _report_growth(fd, baseline):
    growth = "none" if baseline is None else str(_status_kib("VmHWM") * 1024 - baseline)
    os.write(fd, (growth + "\n").encode())


def _killed(*_):
    """The kill hook's job: its worker ends as a SIGKILL would end it, mid-run."""
    os.kill(os.getpid(), signal.SIGKILL)


def _refused_fork(e):
    """Whether the OS refused a fork (EAGAIN: RLIMIT_NPROC, kernel.threads-max; ENOMEM)."""
    return isinstance(e, OSError) and e.errno in (errno.EAGAIN, errno.ENOMEM)


def _fork_refused(e, wanted):
    return Refused(f"fork: {e} ({wanted} worker processes wanted)")


class ProcessPool(concurrent.futures.ProcessPoolExecutor):
    """concurrent.futures.ProcessPoolExecutor(max_workers=N), its workers children of the run."""

    def __init__(self, max_workers):
        super().__init__(max_workers=max_workers, mp_context=_FORK, initializer=_child_starts,
                         initargs=(os.getpid(),))
        self.workers, self._named = max_workers, False  # workers: N

    def submit(self, fn, /, *args, **kwargs):
        if _children.kill_first:
            _children.kill_first = False
            fn = _killed
        try:
            future = super().submit(fn, *args, **kwargs)
        except OSError as e:
            if not _refused_fork(e):
                raise
            raise _fork_refused(e, self.workers) from None
        if not self._named:  # the first submit forked every worker (with fork, none later)
            _children.processes.update(self._processes)  # CPython's table of them, pid -> Process
            self._named = True
        return future


def process_pool(p, jobs=None):
    """The pool of the case's worker processes (--worker-processes), no more than its jobs."""
    return ProcessPool(max(1, min(p["worker_processes"], jobs or p["worker_processes"])))


def start_process(target, *args):
    """multiprocessing.Process(target=target, args=args), started as a child of the run (the OS's
    refusal as Refused); the kill hook's first process kills itself as it starts."""
    kill = _children.kill_first
    _children.kill_first = False
    process = _FORK.Process(target=_run_child, args=(os.getpid(), kill, target, args))
    try:
        process.start()
    except OSError as e:
        if not _refused_fork(e):
            raise
        raise _fork_refused(e, len(_children.processes) + 1) from None
    _children.processes[process.pid] = process
    return process


def _run_child(parent, kill, target, args):
    _child_starts(parent)
    if kill:
        _killed()
    target(*args)


def process_queue(maxsize=0):
    """multiprocessing.Queue(maxsize), for the run's child processes."""
    return _FORK.Queue(maxsize)


def check_alive(processes):
    """Raises WorkerDied when one of processes has ended otherwise than cleanly."""
    for p in processes:
        if p.exitcode not in (None, 0):
            raise WorkerDied(f"pid {p.pid} {_how_ended(p.exitcode)}")


def wait_ended(processes, watched=()):
    """Waits until every one of processes has ended; fails the run (WorkerDied) as soon as one of
    them or of watched ends otherwise than cleanly, rather than leave the others waiting for it."""
    pending = {p.sentinel: p for p in processes}
    while pending:
        for sentinel in multiprocessing.connection.wait(list(pending), timeout=0.05):
            pending.pop(sentinel).join()
        check_alive(list(processes) + list(watched))


def get_while_alive(q, processes):
    """q.get(), failing the run rather than waiting forever when one of processes has died."""
    while True:
        try:
            return q.get(timeout=0.05)
        except queue.Empty:
            check_alive(processes)


def put_while_alive(q, item, processes):
    """q.put(item), failing the run rather than waiting forever when one of processes has died."""
    while True:
        try:
            return q.put(item, timeout=0.05)
        except queue.Full:
            check_alive(processes)
