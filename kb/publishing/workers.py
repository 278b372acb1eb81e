"""Query workers: processes that each hold the dataset open read-only and answer one query at a time.

Neither rdflib nor pyoxigraph can stop a running query, and one slow query in a single-process server stalls
every other client (../shared/notes/security.md, pitfall 6). So queries run in worker processes: a query past
its time limit, or whose worker's resident memory passes the memory limit (read from /proc while it runs: neither
engine can bound its own memory), has its worker killed and replaced, and the other workers keep answering
meanwhile. A request that finds every worker busy waits at most the queue wait, then hears when to try again.
"""

from __future__ import annotations

import asyncio
import collections
import math
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from kb.publishing.answers import Answer, Request, shown_size

START_SECONDS = 60.0
WATCH_SECONDS = 0.05  # how often a running query's memory is read: at 400 MB/s, 20 MB past the limit at most
MEMORY_EXIT = 75  # the exit status of a worker that stopped itself at the memory limit
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
TEXT = "text/plain; charset=utf-8"


def resident_bytes(pid: int) -> int | None:
    """A process's resident memory (RSS), or None where /proc cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return None


def _work(location: str, graphs: list[str], max_rows: int, max_bytes: int | None, connection: Connection,
          max_memory: int | None = None) -> None:
    """A worker's life: open the store, say so, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle; it stops the workers
    import pyoxigraph as ox

    from kb.publishing.answers import answer

    store = ox.Store.read_only(location)
    known = frozenset(graphs)
    answering, decided = threading.Event(), threading.Lock()
    if max_memory is not None:
        threading.Thread(target=_watch_own_memory, args=(max_memory, answering, decided), daemon=True).start()
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        answering.set()
        try:
            answered = answer(store, known, request, max_rows, max_bytes)
        except Exception as exc:  # an engine error must not end the worker; the client hears what it was
            answered = Answer(500, TEXT, f"the query failed: {exc}\n".encode())
        with decided:  # an answer is sent only if the watch has not ended the worker over it
            answering.clear()
        connection.send(answered)


def _watch_own_memory(max_memory: int, answering: threading.Event, decided: threading.Lock) -> None:
    """End this worker (exit MEMORY_EXIT) when a query takes it past `max_memory`.

    The server watches each worker too, but from a thread that shares its process with the pages and the HTTP
    traffic: under load (benchmarks/load.py, 200 clients on 2 cores) it read the memory late, and a query grew to
    686 MB against a limit of 256 MB. Oxigraph releases the GIL while it evaluates, so this thread reads on time."""
    me = os.getpid()
    while True:
        time.sleep(WATCH_SECONDS)
        with decided:
            if answering.is_set() and (resident_bytes(me) or 0) > max_memory:
                os._exit(MEMORY_EXIT)


class _Idle:
    """Idle workers, handed to the requests waiting for one in the order they came.

    asyncio.Queue is not fair here: a worker put back wakes the longest waiter, but a request arriving before that
    waiter runs takes the worker, and the waiter goes back to the end of the line. Under load (200 clients on 4
    workers) requests that had waited longest were so passed over again and again until the queue wait ran out
    (503) while later ones were answered. Here a freed worker goes straight to the first waiter, and a newcomer
    takes an idle worker only when nobody waits."""

    def __init__(self):
        self._workers: collections.deque[_Worker] = collections.deque()
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    def put(self, worker: _Worker) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._workers.append(worker)

    async def get(self, timeout: float) -> _Worker:
        """The first idle worker, waiting in line at most `timeout` seconds (then TimeoutError)."""
        if self._workers:  # never while requests wait: put() hands a worker to them first
            return self._workers.popleft()
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(timeout, lambda: waiter.done() or waiter.set_exception(TimeoutError()))
        try:
            return await waiter
        except BaseException:  # timed out or cancelled; a worker handed over at that very moment is passed on
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.put(waiter.result())
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        finally:
            timer.cancel()


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
                try:
                    return self.connection.recv()
                except EOFError:
                    self.process.join(1)
                    if self.process.exitcode == MEMORY_EXIT:  # it stopped itself at the memory limit
                        return "memory"
                    raise
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
        self._idle = _Idle()
        self._all: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._replacing: set[asyncio.Task] = set()
        # one thread per worker waits on it: asyncio's default pool has min(32, cores + 4) threads, fewer than
        # --workers may ask for, and worker start-ups share it
        self._waiting = ThreadPoolExecutor(size, thread_name_prefix="kb-query-wait")

    def _start_one(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(self.location, self.graphs, self.max_rows,
                                                            self.max_bytes, theirs, self.max_memory),
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
            self._idle.put(worker)

    async def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        await asyncio.to_thread(worker.stop)
        self._idle.put(await asyncio.to_thread(self._start_one))

    async def ask(self, request: Request) -> Answer:
        """Run one request within the time and memory limits; 503 if no worker was free within the queue wait
        (with Retry-After) or the query overran."""
        try:
            worker = await self._idle.get(self.queue_wait)
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
            self._idle.put(worker)
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
