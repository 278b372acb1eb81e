"""Query workers: processes that each hold the dataset open read-only and answer one query at a time.

Neither rdflib nor pyoxigraph can stop a running query, and one slow query in a single-process server stalls
every other client (../shared/notes/security.md, pitfall 6). So queries run in worker processes: a query past
its time limit, or whose worker's resident memory passes the memory limit (read from /proc while it runs: neither
engine can bound its own memory), has its worker killed and replaced, and the other workers keep answering
meanwhile. A request that finds every worker busy waits at most the queue wait, then hears when to try again.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from kb.answers import Answer, Request, shown_size

START_SECONDS = 60.0
WATCH_SECONDS = 0.05  # how often a running query's memory is read: at 400 MB/s, 20 MB past the limit at most
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
TEXT = "text/plain; charset=utf-8"


def resident_bytes(pid: int) -> int | None:
    """A process's resident memory (RSS), or None where /proc cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return None


def _work(location: str, graphs: list[str], max_rows: int, max_bytes: int | None, connection: Connection) -> None:
    """A worker's life: open the store, say so, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it stops the workers
    import pyoxigraph as ox

    from kb.answers import answer

    store = ox.Store.read_only(location)
    known = frozenset(graphs)
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answered = answer(store, known, request, max_rows, max_bytes)
        except Exception as exc:  # an engine error must not end the worker; the client hears what it was
            answered = Answer(500, TEXT, f"the query failed: {exc}\n".encode())
        connection.send(answered)


@dataclass(eq=False)  # kept in a set, by identity
class _Worker:
    process: multiprocessing.Process
    connection: Connection
    asked_at: float = field(default=0.0)  # time.monotonic() when its running query was sent

    def ask(self, request: Request, seconds: float, max_memory: int | None) -> Answer | str:
        """The answer, or why it was stopped ("time", "memory"): then this worker has been killed."""
        self.asked_at = time.monotonic()
        self.connection.send(request)
        deadline = self.asked_at + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.connection.poll(min(WATCH_SECONDS, left)):
                return self.connection.recv()
            if max_memory is not None and (resident_bytes(self.process.pid) or 0) > max_memory:
                self.process.kill()
                return "memory"
        self.process.kill()
        return "time"

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class Pool:
    """A fixed number of workers; a request waits (a bounded time) for a free one, and a worker that overruns its
    time or memory is replaced."""

    def __init__(self, location: str, graphs: list[str], size: int, seconds: float, max_rows: int, *,
                 max_bytes: int | None = None, max_memory: int | None = None, queue_wait: float | None = None):
        self.location, self.graphs, self.size = location, graphs, size
        self.seconds, self.max_rows, self.max_bytes, self.max_memory = seconds, max_rows, max_bytes, max_memory
        self.queue_wait = seconds if queue_wait is None else queue_wait
        self._context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._replacing: set[asyncio.Task] = set()
        # one thread per worker waits on it: asyncio's default pool has min(32, cores + 4) threads, fewer than
        # --workers may ask for, and worker start-ups share it
        self._waiting = ThreadPoolExecutor(size, thread_name_prefix="kb-query-wait")

    def _start_one(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(self.location, self.graphs, self.max_rows,
                                                            self.max_bytes, theirs),
                                        name="kb-query-worker", daemon=True)
        process.start()
        theirs.close()
        if not ours.poll(START_SECONDS) or ours.recv() != "ready":
            process.kill()
            raise RuntimeError(f"a query worker did not open {self.location} within {START_SECONDS:.0f} s")
        worker = _Worker(process, ours)
        self._all.add(worker)
        return worker

    async def start(self) -> None:
        started = await asyncio.gather(*(asyncio.to_thread(self._start_one) for _ in range(self.size)))
        for worker in started:
            self._idle.put_nowait(worker)

    async def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        await asyncio.to_thread(worker.stop)
        self._idle.put_nowait(await asyncio.to_thread(self._start_one))

    async def ask(self, request: Request) -> Answer:
        """Run one request within the time and memory limits; 503 if no worker was free within the queue wait
        (with Retry-After) or the query overran."""
        try:
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            try:
                worker = await asyncio.wait_for(self._idle.get(), self.queue_wait)
            except TimeoutError:
                retry = self._retry_after()
                return Answer(503, TEXT, f"every query worker is busy (waited {self.queue_wait:g} s); try again in "
                                         f"{retry} s\n".encode(), retry_after=retry)
        self._busy.add(worker)
        try:
            answered = await asyncio.get_running_loop().run_in_executor(
                self._waiting, worker.ask, request, self.seconds, self.max_memory)
        except (EOFError, OSError):  # the worker died: killed from outside, or the engine crashed
            self._replace_soon(worker)
            return Answer(500, TEXT, b"the query worker ended unexpectedly\n")
        finally:
            self._busy.discard(worker)
        if answered == "time":
            self._replace_soon(worker)
            return Answer(503, TEXT, f"the query was stopped at the time limit of {self.seconds:g} s\n".encode())
        if answered == "memory":
            self._replace_soon(worker)
            return Answer(503, TEXT, f"the query was stopped at the memory limit of {shown_size(self.max_memory)} "
                                     "per query\n".encode())
        if self.max_memory is not None and (resident_bytes(worker.process.pid) or 0) > self.max_memory:
            self._replace_soon(worker)  # answered, but it kept what it grew to: the next query starts afresh
        else:
            self._idle.put_nowait(worker)
        return answered

    def _retry_after(self) -> int:
        """Seconds until a busy worker is sure to be free: the earliest a running query reaches the time limit."""
        ends = [worker.asked_at + self.seconds for worker in self._busy]
        return max(1, math.ceil(min(ends) - time.monotonic())) if ends else 1

    def _replace_soon(self, worker: _Worker) -> None:
        task = asyncio.get_running_loop().create_task(self._replace(worker))
        self._replacing.add(task)  # keep a reference until it is done, as asyncio asks
        task.add_done_callback(self._replacing.discard)

    def stop(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._waiting.shutdown(wait=False, cancel_futures=True)
