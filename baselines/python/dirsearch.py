"""dirsearch: the course lab. Search several roots for every file and sub-directory below them.

search_directory() walks one root with os.scandir; the models differ in how the roots' searches
run: one after another, a threading.Thread each, run_in_executor each, or a task each on the
event loop, yielding with asyncio.sleep(0) after every directory (the lab's exercise 2).

The walk opens each directory relative to its parent's descriptor (os.scandir on an fd), as the
C++ walk does, so a chain deeper than PATH_MAX is searched too; links are not followed.
Answer per root: (path relative to the root, type) entries, errors (path, errno, message), and
the work done (directories opened, entries read).
"""
import asyncio
import collections
import errno
import os

import harness

OPEN_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class DirFd:
    """A directory descriptor kept open while sub-directories below it wait to be opened."""

    def __init__(self, fd):
        self.fd = fd

    def __del__(self):
        os.close(self.fd)


class Found:
    def __init__(self, root):
        self.root = root
        self.entries = []
        self.errors = []
        self.dirs_opened = 0
        self.entries_read = 0

    def error(self, rel, code, what):
        self.errors.append((rel, code, f"{what}: {os.strerror(code)}"))


def kind_of(entry):
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return "other"


def open_directory(job, found):
    parent, name, rel = job
    try:
        if parent is None:  # a root: followed if it is a link, as `find ROOT/` would
            return DirFd(os.open(name, OPEN_FLAGS))
        return DirFd(os.open(name, OPEN_FLAGS | os.O_NOFOLLOW, dir_fd=parent.fd))
    except OSError as e:
        found.error(rel, e.errno, "open")
        return None


def read_directory(job, found, pending):
    """Reads one directory: its entries into found, its sub-directories onto pending."""
    d = open_directory(job, found)
    if d is None:
        return
    found.dirs_opened += 1
    rel = job[2]
    try:
        with os.scandir(d.fd) as it:
            for entry in it:
                found.entries_read += 1
                path = entry.name if not rel else rel + "/" + entry.name
                kind = kind_of(entry)
                found.entries.append((path, kind))
                if kind == "dir":
                    pending.append((d, entry.name, path))
    except OSError as e:
        found.error(rel, e.errno or errno.EIO, "read")


def search_directory(root):
    found = Found(root)
    pending = [(None, root, "")]
    while pending:
        read_directory(pending.pop(), found, pending)
    return found


async def search_directory_async(root):
    # The lab's exercise 2: the same walk as a coroutine, yielding after every directory.
    found = Found(root)
    pending = [(None, root, "")]
    while pending:
        read_directory(pending.pop(), found, pending)
        await asyncio.sleep(0)
    return found


def py_sequential(p):
    return [search_directory(root) for root in p["roots"]], {}


def py_threads(p):
    roots = p["roots"]
    results = [None] * len(roots)

    def search(i):
        results[i] = search_directory(roots[i])

    harness.thread_per_task(search, len(roots))
    return results, {}


def py_executor(p):
    async def main():
        loop = asyncio.get_running_loop()
        loop.set_default_executor(harness.default_executor(p))
        tasks = [loop.run_in_executor(None, search_directory, root) for root in p["roots"]]
        return await asyncio.gather(*tasks)

    return asyncio.run(main()), {}


def py_asyncio(p):
    # The lab's exercises 3 and 4: start_all_searches() creates a task per root, main() gathers.
    def start_all_searches(roots):
        return [asyncio.create_task(search_directory_async(root)) for root in roots]

    async def main():
        tasks = start_all_searches(p["roots"])
        return await asyncio.gather(*tasks)

    return asyncio.run(main()), {}


# py-processes: the sub-trees wanted per worker before the fork (enough that a worker done early
# finds more), and the most directories the parent reads itself to find them, as the C++ model's.
SUBTREES_PER_WORKER = 4
PARENT_READS = 64

# The sub-trees to hand out, (root's index, job), set by the parent before its pool forks: each
# worker inherits them, open directory descriptors and all, and is handed a sub-tree by its index
# (a descriptor cannot be pickled into a job).
subtrees = []


def split(found, wanted):
    """Reads the roots' top directories breadth first until `wanted` sub-trees are pending (or
    none, or the parent's share is read); returns them as (root's index, job)."""
    frontier = collections.deque((r, (None, f.root, "")) for r, f in enumerate(found))
    read = 0
    while frontier and len(frontier) < wanted and read < PARENT_READS:
        r, job = frontier.popleft()
        below = []
        read_directory(job, found[r], below)
        frontier.extend((r, sub) for sub in below)
        read += 1
    return list(frontier)


def walk_subtree(i):
    """In a worker: sub-tree i walked to its end, as search_directory walks a root; what it found."""
    r, job = subtrees[i]
    found = Found(None)
    pending = [job]
    while pending:
        read_directory(pending.pop(), found, pending)
    return r, found.entries, found.errors, found.dirs_opened, found.entries_read


def py_processes(p):
    # As the C++ processes model: the parent reads the top directories until it holds a few
    # sub-trees per worker, then forks the workers and hands each sub-tree to whichever is idle
    # (loop.run_in_executor on a ProcessPoolExecutor), merging each answer into its root's.
    global subtrees
    found = [Found(root) for root in p["roots"]]
    subtrees = split(found, SUBTREES_PER_WORKER * p["worker_processes"])

    async def main():
        loop = asyncio.get_running_loop()
        with harness.process_pool(p, len(subtrees)) as pool:
            walks = [loop.run_in_executor(pool, walk_subtree, i) for i in range(len(subtrees))]
            return await asyncio.gather(*walks)

    for r, entries, errors, dirs_opened, entries_read in asyncio.run(main()) if subtrees else []:
        found[r].entries += entries
        found[r].errors += errors
        found[r].dirs_opened += dirs_opened
        found[r].entries_read += entries_read
    subtrees = []  # closes the parent's descriptors
    return found, {}


def add_arguments(parser):
    parser.add_argument("roots", nargs="+")


def make_params(args):
    return {"roots": args.roots}


def wire(text):
    """A path's bytes as a JSON string of code points 0-255 (names need not be UTF-8)."""
    return os.fsencode(text).decode("latin-1")


def write_answer(roots):
    for i, f in enumerate(roots):
        entries = f.entries
        if harness.wrong_answer() and i == 0:
            entries = entries[:-1]
        harness.emit({"root": wire(f.root),
                      "entries": [[wire(path), kind] for path, kind in entries],
                      "errors": [[wire(path), code, message] for path, code, message in f.errors],
                      "dirs_opened": f.dirs_opened, "entries_read": f.entries_read})


if __name__ == "__main__":
    raise SystemExit(harness.main(globals(), add_arguments, make_params, write_answer))
