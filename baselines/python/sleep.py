"""sleep: N tasks each wait `delay`, then return a value from their index (the course's slow(n)).

One function per model, as the course writes them; the answer is the values in gather order.
"""
import asyncio
import time

import harness

MASK = (1 << 64) - 1


def value_of(i):
    """splitmix64's finaliser, as workloads/sleep/sleep.cpp computes it."""
    z = (i + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def py_sequential(p):
    n, delay = p["tasks"], p["delay"]
    started = finished = 0
    values = []
    for i in range(n):
        started += 1
        time.sleep(delay)
        finished += 1
        values.append(value_of(i))
    return (values, started, finished), {}


def py_threads(p):
    # The course's do_threaded_tasks: a threading.Thread per task, then join each.
    n, delay = p["tasks"], p["delay"]
    values = [None] * n
    started = [False] * n

    def slow(i):
        started[i] = True
        time.sleep(delay)
        values[i] = value_of(i)

    harness.thread_per_task(slow, n)
    return (values, sum(started), sum(v is not None for v in values)), {}


def py_executor(p):
    # The seeds' advanced_event_loop.py: the blocking sleep on the default executor.
    n, delay = p["tasks"], p["delay"]
    work = {"started": 0, "finished": 0}

    async def slow(loop, i):
        work["started"] += 1
        await loop.run_in_executor(None, time.sleep, delay)
        work["finished"] += 1
        return value_of(i)

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(harness.default_executor(p))
        tasks = [asyncio.create_task(slow(loop, i)) for i in range(n)]
        return await asyncio.gather(*tasks)

    values = asyncio.run(main())
    return (values, work["started"], work["finished"]), {}


def run_async_tasks(first, last, delay):
    """The seeds' run_async_tasks for tasks [first, last): create_task per slow(i), then gather;
    their values and the tasks started and finished."""
    work = {"started": 0, "finished": 0}

    async def slow(i):
        work["started"] += 1
        await asyncio.sleep(delay)
        work["finished"] += 1
        return value_of(i)

    async def main():
        tasks = [asyncio.create_task(slow(i)) for i in range(first, last)]
        return await asyncio.gather(*tasks)

    values = asyncio.run(main())
    return values, work["started"], work["finished"]


def py_asyncio(p):
    return run_async_tasks(0, p["tasks"], p["delay"]), {}


def py_processes(p):
    # As the C++ processes model: the tasks cut into one contiguous share per worker process, each
    # share run_async_tasks on the worker's own loop, the shares awaited from the parent's loop
    # with run_in_executor and gathered in task order.
    n, delay = p["tasks"], p["delay"]

    async def main():
        loop = asyncio.get_running_loop()
        with harness.process_pool(p, n) as pool:
            w = pool.workers
            shares = [loop.run_in_executor(pool, run_async_tasks, n * k // w, n * (k + 1) // w,
                                           delay) for k in range(w)]
            return await asyncio.gather(*shares)

    values, started, finished = [], 0, 0
    for share_values, share_started, share_finished in asyncio.run(main()):
        values += share_values
        started += share_started
        finished += share_finished
    return (values, started, finished), {}


add_arguments, make_params = harness.count_and_delay("tasks")


def write_answer(answer):
    values, started, finished = answer
    if harness.wrong_answer():
        values = values[:-1]
        finished -= 1
    harness.emit({"values": values, "started": started, "finished": finished})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
