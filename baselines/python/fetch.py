"""fetch: GET N URLs with at most C requests in flight (the seeds' get_web / web_async_tasks).

py-asyncio is the seeds' aiohttp example: a ClientSession (a TCPConnector of C connections),
a task per URL, gather; a semaphore of C lets only C requests run at once, so each one's
timeout counts from when it is sent, not from when it was queued. The blocking models use
http.client: a keep-alive HTTPConnection per worker (C threading.Thread workers; one per pool
thread for run_in_executor; one for the sequential loop).

Answer per URL, in order: its status, body length and body hash (XXH3-64, seed 0, of the body:
the hash the C++ clients compute), or the error as the C++ client names it (client.cpp's
to_string); and the work: requests sent (written), body bytes of complete responses.
Redirects are not followed (the generated site has none; a 3xx would show as its status).
"""
import asyncio
import errno
import http.client
import socket
import threading
import urllib.parse

import xxhash

import harness

try:  # only py-asyncio and py-processes need it; without it the C++ side marks them unsupported
    import aiohttp
except ImportError:
    aiohttp = None

RESET_ERRNOS = (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED)


def error_kind(e):
    """The C++ client's name (workloads/http/client.cpp, to_string) for how a request failed."""
    if isinstance(e, TimeoutError):  # socket timeouts, asyncio's and aiohttp's
        return "timed out"
    if isinstance(e, socket.gaierror):
        return "no such host"
    code = e.errno if isinstance(e, OSError) else None  # aiohttp's ClientOSError is an OSError
    if code == errno.ECONNREFUSED:
        return "refused"
    if code in (errno.EMFILE, errno.ENFILE):
        return "too many open files"
    if code == errno.ETIMEDOUT:
        return "timed out"
    if code in RESET_ERRNOS or isinstance(e, (ConnectionError, http.client.IncompleteRead)):
        return "reset"  # closed mid-response (RemoteDisconnected is a ConnectionResetError)
    if aiohttp and isinstance(e, (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError)):
        return "reset"
    if isinstance(e, http.client.LineTooLong):
        return "header too large"
    if isinstance(e, http.client.HTTPException) or (
            aiohttp and isinstance(e, aiohttp.ClientResponseError)):
        return "bad response"
    if isinstance(e, ValueError):  # http.client's and aiohttp's InvalidURL among them
        return "bad url"
    return "other"


class Answer:
    """One URL's answer: status, body length and hash, or the error; the body when kept."""
    __slots__ = ("status", "body_bytes", "body_hash", "error", "body")

    def __init__(self, status=0, body=b"", error="none", keep_body=False):
        self.status, self.error = status, error
        self.body_bytes = len(body)
        self.body_hash = xxhash.xxh3_64_intdigest(body) if error == "none" else 0
        self.body = body if keep_body else b""

    @staticmethod
    def failed(e):
        return Answer(error=error_kind(e))


class Tally:
    """Work parity, counted by one client (summed over a model's clients at the end)."""

    def __init__(self):
        self.requests_sent = self.bytes_received = self.connections = 0

    def add(self, others):
        for o in others:
            self.requests_sent += o.requests_sent
            self.bytes_received += o.bytes_received
            self.connections += o.connections
        return self


# ---- http.client: one keep-alive connection per worker

class Client(Tally):
    """A keep-alive http.client connection, as the C++ blocking_client: opened again after a
    failure, a close or for another host; a request that meets a reused connection the server
    closed while it sat idle (no byte of an answer came) is sent once more on a fresh one.
    The timeout bounds each connect, send and read (a socket timeout), where the C++ client
    bounds the three together: the site's answers come in one piece, so both time out alike."""

    def __init__(self, p):
        super().__init__()
        self.timeout, self.keep_bodies = p["timeout"], p["keep_bodies"]
        self.conn, self.peer = None, None

    def get(self, url):
        try:
            parts = urllib.parse.urlsplit(url)
            peer = (parts.hostname, parts.port or 80)
        except ValueError as e:
            return Answer.failed(e)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        reused = self.peer == peer and self.conn is not None and self.conn.sock is not None
        answer, sent, stale = self.exchange(peer, target, reused)
        if stale:
            answer, sent, _ = self.exchange(peer, target, False)
        self.requests_sent += sent  # once, whatever the attempts
        return answer

    def exchange(self, peer, target, reused):
        """The answer, whether the request was written, and whether the connection was stale."""
        sent = answered = False
        try:
            if not reused:
                self.close()
                self.conn, self.peer = http.client.HTTPConnection(*peer, timeout=self.timeout), peer
                self.conn.connect()
                self.connections += 1
            self.conn.request("GET", target, headers={"User-Agent": "concur"})
            sent = True
            resp = self.conn.getresponse()  # closes the connection itself after Connection: close
            answered = True
            body = resp.read()
        except Exception as e:
            self.close()
            stale = reused and not answered and isinstance(e, (BrokenPipeError, ConnectionResetError))
            return Answer.failed(e), sent, stale
        self.bytes_received += len(body)
        return Answer(resp.status, body, keep_body=self.keep_bodies), sent, False

    def close(self):
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def sequential_getter(p):
    client = Client(p)
    return (lambda urls: [client.get(u) for u in urls]), [client]


def threads_getter(p):
    # C threading.Thread workers per batch, each on its own keep-alive connection (kept across
    # batches), taking the next URL when its request is answered.
    clients = [Client(p) for _ in range(p["concurrency"])]

    def get(urls):
        answers = [None] * len(urls)
        lock = threading.Lock()
        next_index = [0]

        def worker(client):
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= len(urls):
                    return
                answers[i] = client.get(urls[i])

        threads = []
        for client in clients[:len(urls)]:
            t = threading.Thread(target=worker, args=(client,))
            harness.start_thread(t, len(threads), min(len(clients), len(urls)))
            threads.append(t)
        for t in threads:
            t.join()
        return answers

    return get, clients


def executor_getter(p):
    # An async getter: the blocking get on the loop's default executor, a connection per pool
    # thread, at most C at once.
    clients = []
    local = threading.local()

    def blocking_get(url):
        if not hasattr(local, "client"):
            local.client = Client(p)
            clients.append(local.client)
        return local.client.get(url)

    async def get(urls):
        loop = asyncio.get_running_loop()
        limit = asyncio.Semaphore(p["concurrency"])

        async def one(url):
            async with limit:
                return await loop.run_in_executor(None, blocking_get, url)

        return await asyncio.gather(*[one(u) for u in urls])

    return get, clients


# ---- aiohttp

def counting_trace(tally):
    """aiohttp's own account of requests written and connections opened."""
    trace = aiohttp.TraceConfig()

    async def sent(session, context, params):
        tally.requests_sent += 1

    async def connected(session, context, params):
        tally.connections += 1

    trace.on_request_headers_sent.append(sent)
    trace.on_connection_create_end.append(connected)
    return trace


def asyncio_getter(p, session, tally):
    timeout = aiohttp.ClientTimeout(total=p["timeout"])
    limit = asyncio.Semaphore(p["concurrency"])

    async def get_web(url):
        async with limit:
            try:
                async with session.get(url, allow_redirects=False, timeout=timeout) as resp:
                    body = await resp.read()
                    status = resp.status
            except Exception as e:
                return Answer.failed(e)
        tally.bytes_received += len(body)
        return Answer(status, body, keep_body=p["keep_bodies"])

    async def get(urls):
        tasks = [asyncio.create_task(get_web(url)) for url in urls]
        return await asyncio.gather(*tasks)

    return get


def asyncio_session(p, tally):
    connector = aiohttp.TCPConnector(limit=p["concurrency"])
    return aiohttp.ClientSession(connector=connector, trace_configs=[counting_trace(tally)])


# ---- worker processes, each running the aiohttp getter on a share of the URLs

def worker_fetch(settings, urls, parse):
    """In a worker process: its share of the URLs got as py-asyncio gets them (a ClientSession, a
    task per URL, at most its share of C at once) on the worker's own loop; the answers in order
    and the work. parse(body, url), when given, runs here on each 200 page's body, and its value
    comes back in the body's place (a crawl's links: the parsing is the workers' too)."""
    tally = Tally()

    async def main():
        async with asyncio_session(settings, tally) as session:
            return await asyncio_getter(settings, session, tally)(urls)

    answers = asyncio.run(main())
    if parse is not None:
        for url, a in zip(urls, answers):
            a.body = parse(a.body, url) if a.error == "none" and a.status == 200 else []
    return answers, tally


def processes_getter(p, pool, parse=None):
    """An async getter, as the processes model's: the URLs dealt out to the worker processes of the
    pool, URL i to share i mod k (k: the workers, at most C and the URLs), each share got by
    worker_fetch with its part of C (run_in_executor); the answers in URL order, the work summed
    into the tally it returns."""
    tally = Tally()

    async def get(urls):
        loop = asyncio.get_running_loop()
        c = p["concurrency"]
        k = max(1, min(pool.workers, c, len(urls)))
        shares = []
        for i in range(k):
            settings = {"timeout": p["timeout"], "keep_bodies": parse is not None,
                        "concurrency": c * (i + 1) // k - c * i // k}
            shares.append(loop.run_in_executor(pool, worker_fetch, settings, urls[i::k], parse))
        answers = [None] * len(urls)
        for i, (share_answers, work) in enumerate(await asyncio.gather(*shares)):
            answers[i::k] = share_answers
            tally.add([work])
        return answers

    return get, tally


# ---- the models: a fetch of the URLs in order

def with_measures(model):
    """A model that returns (answer, tally), with the client's CPU per request and the
    connections it opened as what it measured."""

    def run(p):
        cpu = harness._cpu_seconds()
        answer, tally = model(p)
        cpu = harness._cpu_seconds() - cpu
        return answer, {"client_cpu_us_per_req": cpu * 1e6 / max(1, tally.requests_sent),
                        "connections": tally.connections}

    return run


def fetched(p, pages, tally):
    return (p["urls"], pages, tally), tally


@with_measures
def py_sequential(p):
    get, clients = sequential_getter(p)
    return fetched(p, get(p["urls"]), Tally().add(clients))


@with_measures
def py_threads(p):
    get, clients = threads_getter(p)
    return fetched(p, get(p["urls"]), Tally().add(clients))


@with_measures
def py_executor(p):
    get, clients = executor_getter(p)

    async def main():
        asyncio.get_running_loop().set_default_executor(harness.default_executor(p))
        return await get(p["urls"])

    return fetched(p, asyncio.run(main()), Tally().add(clients))


@with_measures
def py_asyncio(p):
    tally = Tally()

    async def web_async_tasks():
        async with asyncio_session(p, tally) as session:
            return await asyncio_getter(p, session, tally)(p["urls"])

    return fetched(p, asyncio.run(web_async_tasks()), tally)


@with_measures
def py_processes(p):
    # As the processes model: the URLs handed out to the worker processes, a share each, which
    # each worker gets on its own loop as py-asyncio does.
    with harness.process_pool(p, len(p["urls"])) as pool:
        get, tally = processes_getter(p, pool)
        return fetched(p, asyncio.run(get(p["urls"])), tally)


def add_client_arguments(parser):
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--timeout-ms", type=float, required=True)


def client_params(args, keep_bodies):
    return {"concurrency": args.concurrency, "timeout": args.timeout_ms / 1000.0,
            "keep_bodies": keep_bodies}


def add_arguments(parser):
    add_client_arguments(parser)
    parser.add_argument("urls", nargs="+")


def make_params(args):
    return dict(client_params(args, False), urls=args.urls)


def write_answer(answer):
    urls, pages, tally = answer
    rows = [[url, a.status, a.body_bytes, a.body_hash, a.error] for url, a in zip(urls, pages)]
    if harness.wrong_answer():
        rows = rows[:-1]
    harness.emit({"pages": rows, "requests_sent": tally.requests_sent,
                  "bytes_received": tally.bytes_received})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
