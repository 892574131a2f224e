"""offload: the seeds' sundial(), a blocking call (sleep `delay`, return a value), made N times.

The executor model's home: loop.run_in_executor(None, sundial, i). The asyncio model calls
sundial() in the coroutine, so every call blocks the one loop thread. On the loop a heartbeat
wants to tick every 1 ms; its worst and 99th-percentile gaps are measured.
"""
import asyncio
import time

import harness

MASK = (1 << 64) - 1


def value_of(i):
    """As workloads/offload/offload.cpp computes it."""
    z = (i * 0x2545F4914F6CDD1D + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    return z ^ (z >> 31)


def sundial(i, delay):
    time.sleep(delay)
    return value_of(i)


def py_sequential(p):
    return ([sundial(i, p["delay"]) for i in range(p["calls"])], p["calls"]), {}


def py_threads(p):
    n = p["calls"]
    values = [None] * n

    def call(i):
        values[i] = sundial(i, p["delay"])

    harness.thread_per_task(call, n)
    return (values, sum(v is not None for v in values)), {}


def gaps_measured(ticks):
    gaps = harness.worst_and_p99_gap_ms(ticks)
    return {"loop_worst_gap_ms": gaps[0], "loop_p99_gap_ms": gaps[1]} if gaps else {}


def with_heartbeat(make_calls, p):
    """Gathers the calls while a heartbeat ticks on the loop every 1 ms."""
    ticks = []
    done = {"calls": 0}

    async def heartbeat(stop):
        while True:
            ticks.append(time.perf_counter())  # the last tick: when the loop got back to it
            if stop.is_set():
                return
            await asyncio.sleep(0.001)

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(harness.default_executor(p))
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(stop))
        tasks = [asyncio.create_task(call) for call in make_calls(loop, done)]
        values = await asyncio.gather(*tasks)
        stop.set()
        await beat
        return values

    values = asyncio.run(main())
    return (values, done["calls"]), gaps_measured(ticks)


def py_executor(p):
    async def call(loop, i, done):
        v = await loop.run_in_executor(None, sundial, i, p["delay"])
        done["calls"] += 1
        return v

    return with_heartbeat(lambda loop, done: [call(loop, i, done) for i in range(p["calls"])], p)


def py_asyncio(p):
    async def call(i, done):
        v = sundial(i, p["delay"])  # blocks the loop: nothing else runs meanwhile
        done["calls"] += 1
        return v

    return with_heartbeat(lambda loop, done: [call(i, done) for i in range(p["calls"])], p)


def py_processes(p):
    # Each call handed to a worker process (loop.run_in_executor on a ProcessPoolExecutor), where
    # the blocking call runs, one at a time per worker; nothing blocks the loop or its heartbeat.
    with harness.process_pool(p, p["calls"]) as pool:
        async def call(loop, i, done):
            v = await loop.run_in_executor(pool, sundial, i, p["delay"])
            done["calls"] += 1
            return v

        return with_heartbeat(
            lambda loop, done: [call(loop, i, done) for i in range(p["calls"])], p)


add_arguments, make_params = harness.count_and_delay("calls")


def write_answer(answer):
    values, calls = answer
    if harness.wrong_answer():
        values = values[:-1]
    harness.emit({"values": values, "calls": calls})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
