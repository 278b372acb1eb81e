"""Query workers: processes that each hold the dataset open read-only and answer one query at a time.

Neither rdflib nor pyoxigraph can stop a running query, and one slow query in a single-process server stalls
every other client (../shared/notes/security.md, pitfall 6). So queries run in worker processes: a query past
its time limit has its worker killed and replaced, and the other workers keep answering meanwhile.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection

from kb.answers import Answer, Request

START_SECONDS = 60.0


def _work(location: str, graphs: list[str], max_rows: int, connection: Connection) -> None:
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
            answered = answer(store, known, request, max_rows)
        except Exception as exc:  # an engine error must not end the worker; the client hears what it was
            answered = Answer(500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode())
        connection.send(answered)


@dataclass(eq=False)  # kept in a set, by identity
class _Worker:
    process: multiprocessing.Process
    connection: Connection

    def ask(self, request: Request, seconds: float) -> Answer | None:
        """The answer, or None if none came within `seconds` (the caller then kills this worker)."""
        self.connection.send(request)
        if not self.connection.poll(seconds):
            return None
        return self.connection.recv()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class Pool:
    """A fixed number of workers; a request waits for a free one, and a worker that overruns is replaced."""

    def __init__(self, location: str, graphs: list[str], size: int, seconds: float, max_rows: int):
        self.location, self.graphs, self.size = location, graphs, size
        self.seconds, self.max_rows = seconds, max_rows
        self._context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._replacing: set[asyncio.Task] = set()

    def _start_one(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(self.location, self.graphs, self.max_rows, theirs),
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
        """Run one request within the time limit; 503 if no worker was free in that time or the query overran."""
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.seconds)
        except TimeoutError:
            return Answer(503, "text/plain; charset=utf-8",
                          f"every query worker stayed busy for {self.seconds:g} s; try again later\n".encode())
        try:
            answered = await asyncio.to_thread(worker.ask, request, self.seconds)
        except (EOFError, OSError):  # the worker died: killed from outside, or the engine crashed
            self._replace_soon(worker)
            return Answer(500, "text/plain; charset=utf-8", b"the query worker ended unexpectedly\n")
        if answered is None:
            self._replace_soon(worker)
            return Answer(503, "text/plain; charset=utf-8",
                          f"the query was stopped at the time limit of {self.seconds:g} s\n".encode())
        self._idle.put_nowait(worker)
        return answered

    def _replace_soon(self, worker: _Worker) -> None:
        task = asyncio.get_running_loop().create_task(self._replace(worker))
        self._replacing.add(task)  # keep a reference until it is done, as asyncio asks
        task.add_done_callback(self._replacing.discard)

    def stop(self) -> None:
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
