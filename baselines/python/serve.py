"""The course's servers beside the serve workload's models (workloads/serve): the site's pages
(the bench's export, read into memory at start) over keep-alive HTTP/1.1, on a listener the bench
made and passed down.

  py-threads   http.server's ThreadingHTTPServer: a thread per connection
  py-asyncio   aiohttp's web server: one asyncio loop

The bench reads what the server counted (connections taken on, answers sent) in a memory it shares
with it (--counters, two unsigned 64-bit numbers), and waits for "ready PID" on stdout.

Usage: serve.py py-threads|py-asyncio --listener FD --counters FD --root DIR
"""

import argparse
import asyncio
import mmap
import os
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND = b"<!doctype html>\n<html><body><h1>404 not found</h1></body></html>\n"


class Counters:
    """connections taken on (offset 0) and answers sent (offset 8), as the C++ servers count."""

    def __init__(self, fd):
        self.memory = mmap.mmap(fd, 16)
        self.lock = threading.Lock()

    def add(self, offset):
        with self.lock:
            (n,) = struct.unpack_from("Q", self.memory, offset)
            struct.pack_into("Q", self.memory, offset, n + 1)

    def connection(self):
        self.add(0)

    def answer(self):
        self.add(8)


def read_pages(root):
    pages = {}
    for name in os.listdir(os.path.join(root, "page")):
        with open(os.path.join(root, "page", name), "rb") as f:
            pages["/page/" + name] = f.read()
    return pages


def ready():
    print(f"ready {os.getpid()}", flush=True)


def py_threads(listener, pages, counters):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive
        disable_nagle_algorithm = True  # headers and body are two writes

        def setup(self):
            super().setup()
            counters.connection()

        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else NOT_FOUND
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            counters.answer()

        def log_message(self, format, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a client gone mid-answer (wrk stopping): no traceback

    server = Server(listener.getsockname(), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = listener
    ready()
    server.serve_forever()


def py_asyncio(listener, pages, counters):
    from aiohttp import web

    async def page(request):
        body = pages.get(request.path)
        counters.answer()
        if body is None:
            return web.Response(status=404, body=NOT_FOUND, content_type="text/html")
        return web.Response(body=body, content_type="text/html")

    async def main():
        app = web.Application()
        app.router.add_get("/{tail:.*}", page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        # Each connection counted as the server takes it on (its own hook, wrapped).
        took_on = runner.server.connection_made

        def connection_made(handler, transport):
            counters.connection()
            took_on(handler, transport)

        runner.server.connection_made = connection_made
        await web.SockSite(runner, listener).start()
        ready()
        await asyncio.Event().wait()

    asyncio.run(main())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["py-threads", "py-asyncio"])
    parser.add_argument("--listener", type=int, required=True)
    parser.add_argument("--counters", type=int, required=True)
    parser.add_argument("--root", required=True)
    a = parser.parse_args()
    listener = socket.socket(fileno=a.listener)
    counters = Counters(a.counters)
    pages = read_pages(a.root)
    {"py-threads": py_threads, "py-asyncio": py_asyncio}[a.model](listener, pages, counters)


if __name__ == "__main__":
    sys.exit(main())
