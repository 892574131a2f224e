"""cpuyield: a CPU-bound computation beside a heartbeat that wants to tick every `period` (the
course's lab on tight loops). The computation is a chain of `iterations` mixing steps (as
workloads/cpuyield/cpuyield.hpp's step()), its last value the answer; it reaches a yield point
every `yield_every` steps (0: never), where each model yields its own way. Measured: the
heartbeat's worst and 99th-percentile gap, and how much slower the computation ran than it does
alone (its pace timed first, alone, in the same run), named as the C++ models' figures.

This is where the GIL shows: py-threads and py-executor compute on another thread, and the
heartbeat gets the interpreter only at a yield point (time.sleep(0) lets go of the GIL) or when the
interpreter's switch interval (5 ms) takes it from the computation; py-processes computes in a
worker process, beside the heartbeat's rather than under its lock.
"""
import asyncio
import threading
import time

import harness

MASK = (1 << 64) - 1
SEED = 42


def step(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def compute(x, n):
    for _ in range(n):
        x = step(x)
    return x


class Chain:
    """The chain computed slice by slice (`yield_every` steps, or all at once); between two slices
    is a yield point."""

    def __init__(self, p):
        self.iterations = p["iterations"]
        self.slice = p["yield_every"] or p["iterations"]
        self.x, self.done, self.yields = SEED, 0, 0

    def next_slice(self):
        """Computes the next slice; true when a yield point follows it (steps remain)."""
        upto = min(self.iterations, self.done + self.slice)
        self.x = compute(self.x, upto - self.done)
        self.done = upto
        if self.done < self.iterations:
            self.yields += 1
            return True
        return False

    def answer(self):
        return self.x, self.done, self.yields


def compute_yielding_to_nothing(p):
    chain = Chain(p)
    while chain.next_slice():
        pass  # a yield point, with nothing to yield to
    return chain.answer()


def compute_releasing_the_gil(p):
    chain = Chain(p)
    while chain.next_slice():
        time.sleep(0)  # the one yield a thread has: it lets go of the GIL
    return chain.answer()


async def compute_on_the_loop(p):
    chain = Chain(p)
    while chain.next_slice():
        await asyncio.sleep(0)  # the course's yield to the loop
    return chain.answer()


def compute_in_worker(p):
    """In a worker process: the computation as py-asyncio runs it, on the worker's own loop, where
    nothing else waits."""
    return asyncio.run(compute_on_the_loop(p))


class Measurement:
    """The bare computation's pace (timed first, alone), the heartbeat's ticks, and the
    computation's time beside the heartbeat."""

    def __init__(self, p):
        n = min(max(p["iterations"] // 4, 1), 100_000)  # at most ~50 ms of Python
        start = time.perf_counter()
        compute(SEED, n)
        self.solo_ms_per_step = (time.perf_counter() - start) * 1000 / n
        self.ticks = []
        self.compute_ms = 0.0

    def timed(self, run):
        start = time.perf_counter()
        answer = run()
        self.compute_ms = (time.perf_counter() - start) * 1000
        return answer

    async def timed_async(self, computation):
        start = time.perf_counter()
        answer = await computation
        self.compute_ms = (time.perf_counter() - start) * 1000
        return answer

    def figures(self, answer):
        iterations = answer[1]
        solo = self.solo_ms_per_step * iterations
        m = {"compute_ms": self.compute_ms,
             "slowdown": self.compute_ms / solo if iterations and solo > 0 else 0.0}
        if self.ticks:
            worst, p99 = harness.worst_and_p99_gap_ms(self.ticks) or (0.0, 0.0)
            m.update({"heartbeat_worst_ms": worst, "heartbeat_p99_ms": p99,
                      "heartbeat_ticks": len(self.ticks)})
        return answer, m


def beside_heartbeat(p, measured, make_computation):
    """asyncio.run: the computation make_computation(loop) gives, awaited beside a heartbeat
    coroutine that ticks every period."""

    async def heartbeat(stop):
        while True:
            measured.ticks.append(time.perf_counter())
            if stop.is_set():
                return
            await asyncio.sleep(p["period"])

    async def main():
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(stop))
        await asyncio.sleep(0)  # let the heartbeat start before the computation takes the thread
        answer = await measured.timed_async(make_computation(asyncio.get_running_loop()))
        stop.set()
        await beat
        return answer

    return measured.figures(asyncio.run(main()))


def py_sequential(p):
    # The computation alone: no heartbeat can run beside it.
    measured = Measurement(p)
    return measured.figures(measured.timed(lambda: compute_yielding_to_nothing(p)))


def py_threads(p):
    # The heartbeat on a threading.Thread of its own, the computation on the calling thread: the
    # heartbeat, woken from its sleep, waits for the GIL.
    measured = Measurement(p)
    stop = threading.Event()

    def heartbeat():
        measured.ticks.append(time.perf_counter())
        while not stop.is_set():
            time.sleep(p["period"])
            measured.ticks.append(time.perf_counter())

    beat = threading.Thread(target=heartbeat)
    harness.start_thread(beat, 0, 1)
    answer = measured.timed(lambda: compute_releasing_the_gil(p))
    stop.set()
    beat.join()
    return measured.figures(answer)


def py_executor(p):
    # The heartbeat a coroutine on the loop, the computation on the default executor
    # (run_in_executor): off the loop's thread, but not off its GIL.
    measured = Measurement(p)

    def computation(loop):
        loop.set_default_executor(harness.default_executor(p))
        return loop.run_in_executor(None, compute_releasing_the_gil, p)

    return beside_heartbeat(p, measured, computation)


def py_asyncio(p):
    # The computation and the heartbeat coroutines on one loop: the heartbeat ticks only when the
    # computation yields (await asyncio.sleep(0)).
    return beside_heartbeat(p, Measurement(p), lambda loop: compute_on_the_loop(p))


def py_processes(p):
    # The computation in a worker process of its own (a ProcessPoolExecutor through
    # run_in_executor), as py-asyncio runs it; the parent's loop awaits it and ticks meanwhile:
    # the OS runs the two processes side by side, each with its own GIL.
    with harness.process_pool(p, 1) as pool:
        return beside_heartbeat(
            p, Measurement(p), lambda loop: loop.run_in_executor(pool, compute_in_worker, p))


def add_arguments(parser):
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--yield-every", type=int, required=True)
    parser.add_argument("--period-us", type=int, required=True)


def make_params(args):
    return {"iterations": args.iterations, "yield_every": args.yield_every,
            "period": args.period_us / 1e6}


def write_answer(answer):
    x, iterations, yields = answer
    if harness.wrong_answer():
        iterations -= 1
    harness.emit({"answer": x, "iterations": iterations, "yields": yields})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
