"""crawl: breadth-first from a root to a depth, each page once (the seeds' crawler, url_logic).

Level by level, as the C++ crawl (workloads/http/http.cpp, crawl()): a level's pages are got
together (a gather per level, at most C in flight, with fetch.py's getters), so every page's
depth is exact whatever order the answers come in (the seeds' url_logic recurses, a task per
link, so a page reached by two paths gets the depth of whichever comes first). A page that answers 200 gives its links:
<a href> from html.parser, resolved with urljoin against the page, the fragment dropped
(urldefrag); each is an edge, and a page to visit at the next level when the depth allows, it is
new and on the root's host (another port is the same host, as wget has it).

Answer: the visited pages sorted by URL (depth, status, body length, or the error), the edges,
the errors ("URL: refused", "URL: HTTP 404") in URL order, and the work (requests sent, body
bytes received).
"""
import asyncio
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import fetch
import harness


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value is not None]


def with_path(link):
    """An empty path is "/" (RFC 3986 6.2.3), as the C++ crawler has it: http://h is http://h/."""
    parts = urlsplit(link)
    return link if parts.path else urlunsplit(parts._replace(path="/"))


def find_links(body, base):
    parser = LinkParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    links = (with_path(urldefrag(urljoin(base, href.strip()))[0]) for href in parser.hrefs)
    return [link for link in links if urlsplit(link).scheme == "http"]


class Visit:
    __slots__ = ("depth", "answer")

    def __init__(self, depth):
        self.depth, self.answer = depth, None


class Crawl:
    """What a crawl has seen; take() records a level's answers and gives the next level."""

    def __init__(self, root, depth):
        self.host, self.depth = urlsplit(root).hostname, depth
        self.seen = {root: Visit(0)}
        self.edges = set()
        self.level, self.d = [root], 0

    def take(self, answers, links_of=lambda answer, url: find_links(answer.body, url)):
        next_level = []
        for url, answer in zip(self.level, answers):
            self.seen[url].answer = answer
            if answer.error != "none" or answer.status != 200:
                continue
            for link in links_of(answer, url):
                self.edges.add((url, link))
                if self.d < self.depth and link not in self.seen and \
                        urlsplit(link).hostname == self.host:
                    self.seen[link] = Visit(self.d + 1)
                    next_level.append(link)
        self.level, self.d = next_level, self.d + 1


def crawl_blocking(p, make_getter):
    """The crawl on one of fetch.py's blocking getters, a level after another."""
    c = Crawl(p["root"], p["depth"])
    get, clients = make_getter(p)
    while c.level:
        c.take(get(c.level))
    tally = fetch.Tally().add(clients)
    return (c, tally), tally


@fetch.with_measures
def py_sequential(p):
    return crawl_blocking(p, fetch.sequential_getter)  # one connection, a page after another


@fetch.with_measures
def py_threads(p):
    return crawl_blocking(p, fetch.threads_getter)  # C threads per level, C connections in all


@fetch.with_measures
def py_executor(p):
    c = Crawl(p["root"], p["depth"])
    get, clients = fetch.executor_getter(p)

    async def main():
        asyncio.get_running_loop().set_default_executor(harness.default_executor(p))
        while c.level:
            c.take(await get(c.level))

    asyncio.run(main())
    tally = fetch.Tally().add(clients)
    return (c, tally), tally


@fetch.with_measures
def py_asyncio(p):
    c = Crawl(p["root"], p["depth"])
    tally = fetch.Tally()

    async def main():
        async with fetch.asyncio_session(p, tally) as session:
            get = fetch.asyncio_getter(p, session, tally)  # a task per page, gathered
            while c.level:
                c.take(await get(c.level))

    asyncio.run(main())
    return (c, tally), tally


@fetch.with_measures
def py_processes(p):
    # Each level's URLs handed out to the worker processes (fetch.py's processes getter: a share
    # each, got as py-asyncio gets them), which also find each page's links; the visited set
    # stays in the parent, which takes each level.
    c = Crawl(p["root"], p["depth"])
    with harness.process_pool(p) as pool:
        get, tally = fetch.processes_getter(p, pool, parse=find_links)

        async def main():
            while c.level:
                c.take(await get(c.level), links_of=lambda answer, url: answer.body)

        asyncio.run(main())
    return (c, tally), tally


def add_arguments(parser):
    fetch.add_client_arguments(parser)
    parser.add_argument("--depth", type=int, required=True)
    parser.add_argument("root")


def make_params(args):
    return dict(fetch.client_params(args, True), root=args.root, depth=args.depth)


def write_answer(answer):
    c, tally = answer
    visited, errors = [], []
    for url in sorted(c.seen):
        v = c.seen[url]
        a = v.answer
        visited.append([url, v.depth, a.status, a.body_bytes, a.error])
        if a.error != "none":
            errors.append(f"{url}: {a.error}")
        elif a.status >= 400:
            errors.append(f"{url}: HTTP {a.status}")
    if harness.wrong_answer():
        visited = visited[:-1]
    harness.emit({"visited": visited, "edges": sorted(c.edges), "errors": errors,
                  "requests_sent": tally.requests_sent, "bytes_received": tally.bytes_received})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
