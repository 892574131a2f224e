"""prodcons: P producers put N items each into a queue of capacity K, C consumers take them.

The course's producer/consumer: asyncio.Queue(maxsize=K), the consumers q.task_done() each item,
main() gathers the producers, awaits q.join(), then cancels the consumers. The threads model uses
queue.Queue the same way, and stops its consumers with one None each after q.join().
Answer: the consumed items (a multiset), the items produced, whether the queue stayed within K
and whether every consumer ended cleanly; high_water (the most the queue held) is measured.
"""
import asyncio
import collections
import queue
import threading

import harness

MASK = (1 << 64) - 1


def item_of(producer, j):
    """splitmix64's finaliser over (producer, j), as workloads/prodcons/prodcons.cpp computes it."""
    z = ((producer << 40) + j + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def answer(consumed, produced, high_water, p, clean):
    return ((consumed, produced, high_water <= p["capacity"], clean),
            {"high_water": high_water})


def py_sequential(p):
    # One thread takes turns, as the C++ sequential model: a full queue hands one item over.
    q = collections.deque()
    consumed = []
    produced = high_water = 0
    for j in range(p["items"]):
        for producer in range(p["producers"]):
            if len(q) >= p["capacity"]:
                consumed.append(q.popleft())
            q.append(item_of(producer, j))
            produced += 1
            high_water = max(high_water, len(q))
    while q:
        consumed.append(q.popleft())
    return answer(consumed, produced, high_water, p, True)


def py_threads(p):
    q = queue.Queue(maxsize=p["capacity"])
    consumed = []  # list.append is atomic under the GIL
    state = {"produced": 0, "high_water": 0, "ended": 0}
    lock = threading.Lock()

    def produce(who):
        for j in range(p["items"]):
            q.put(item_of(who, j))
            with lock:
                state["produced"] += 1
                state["high_water"] = max(state["high_water"], q.qsize())

    def consume():
        while True:
            val = q.get()
            if val is None:
                q.task_done()
                break
            consumed.append(val)
            q.task_done()
        with lock:
            state["ended"] += 1

    threads = []
    wanted = p["producers"] + p["consumers"]
    cons = [threading.Thread(target=consume) for _ in range(p["consumers"])]
    prods = [threading.Thread(target=produce, args=(who,)) for who in range(p["producers"])]
    for t in cons + prods:
        harness.start_thread(t, len(threads), wanted)
        threads.append(t)
    for t in prods:
        t.join()
    q.join()
    for _ in cons:
        q.put(None)
    for t in cons:
        t.join()
    clean = state["ended"] == p["consumers"] and q.empty()
    return answer(consumed, state["produced"], state["high_water"], p, clean)


def on_loop(p, make_item):
    """The seeds' main(): producers, consumers, gather, q.join(), cancel. make_item(who, j) is
    awaited for each item."""
    consumed = []
    state = {"produced": 0, "high_water": 0, "ended": 0}

    async def produce(q, who):
        for j in range(p["items"]):
            await q.put(await make_item(who, j))
            state["produced"] += 1
            state["high_water"] = max(state["high_water"], q.qsize())

    async def consume(q):
        try:
            while True:
                val = await q.get()
                consumed.append(val)
                q.task_done()
        except asyncio.CancelledError:
            state["ended"] += 1
            raise

    async def main():
        q = asyncio.Queue(maxsize=p["capacity"])
        prods = [asyncio.create_task(produce(q, who)) for who in range(p["producers"])]
        cons = [asyncio.create_task(consume(q)) for _ in range(p["consumers"])]
        await asyncio.gather(*prods)
        await q.join()
        for c in cons:
            c.cancel()
        await asyncio.gather(*cons, return_exceptions=True)
        return q.empty()

    return main, consumed, state


def finish(p, consumed, state, drained):
    clean = state["ended"] == p["consumers"] and drained
    return answer(consumed, state["produced"], state["high_water"], p, clean)


def py_executor(p):
    # Each item is made on the default executor, as the C++ executor model makes it on its pool.
    async def make_item(who, j):
        return await asyncio.get_running_loop().run_in_executor(None, item_of, who, j)

    main, consumed, state = on_loop(p, make_item)

    async def with_pool():
        asyncio.get_running_loop().set_default_executor(harness.default_executor(p))
        return await main()

    return finish(p, consumed, state, asyncio.run(with_pool()))


def py_asyncio(p):
    async def make_item(who, j):
        return item_of(who, j)

    main, consumed, state = on_loop(p, make_item)
    return finish(p, consumed, state, asyncio.run(main()))


def produce_into(q, who, items, report):
    """A producer process: its items into q, then its count and the most q held onto report."""
    high_water = 0
    for j in range(items):
        q.put(item_of(who, j))
        high_water = max(high_water, q.qsize())
    report.put(("produced", items, high_water))


def consume_from(q, report):
    """A consumer process: items from q until a None, then what it consumed onto report."""
    consumed = []
    while (val := q.get()) is not None:
        consumed.append(val)
    report.put(("consumed", consumed))


def py_processes(p):
    # Producer and consumer processes (one each of the case's, whatever --worker-processes) around
    # a multiprocessing.Queue(maxsize=K); the producers' and consumers' reports come back on another
    # queue. As the threads model, the consumers are stopped with one None each once the producers
    # are done: a producer's items are in the queue before it ends (its feeder thread is joined as
    # it exits), so each None comes after them. Every wait also watches the processes, so that one
    # that dies fails the run rather than leave the others blocked on the queue.
    q = harness.process_queue(p["capacity"])
    report = harness.process_queue()
    cons = [harness.start_process(consume_from, q, report) for _ in range(p["consumers"])]
    prods = [harness.start_process(produce_into, q, who, p["items"], report)
             for who in range(p["producers"])]
    everyone = cons + prods
    produced = high_water = 0
    for _ in prods:
        _, count, high = harness.get_while_alive(report, everyone)
        produced += count
        high_water = max(high_water, high)
    harness.wait_ended(prods, everyone)
    for _ in cons:
        harness.put_while_alive(q, None, everyone)
    consumed = []
    for _ in cons:
        consumed += harness.get_while_alive(report, everyone)[1]
    harness.wait_ended(cons, everyone)
    return answer(consumed, produced, high_water, p, q.empty())


def add_arguments(parser):
    for name in ("producers", "consumers", "capacity", "items"):
        parser.add_argument("--" + name, type=int, required=True)


def make_params(args):
    return {"producers": args.producers, "consumers": args.consumers,
            "capacity": args.capacity, "items": args.items}


def write_answer(answer):
    consumed, produced, within, clean = answer
    if harness.wrong_answer():
        consumed = consumed[:-1]
    harness.emit({"consumed": consumed, "produced": produced, "within_capacity": within,
                  "clean_shutdown": clean})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
