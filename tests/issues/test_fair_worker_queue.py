"""A request waiting for a query worker is served before one that arrives later.

The story (issue 13, the load test, benchmarks/load.py): with 200 clients on `kb serve --workers 4`, requests got 503
"every query worker is busy (waited 30 s)" while requests sent after them were answered in a few seconds. The idle
workers were an asyncio.Queue: a worker put back wakes the longest waiter, but a request arriving before that waiter
runs takes the worker first, and the waiter goes back to the end of the line, again and again, until its queue wait
runs out. A freed worker is now handed straight to the first waiter (kb.publishing.workers._Idle).
"""

from __future__ import annotations

import asyncio

import pytest

from kb.publishing.workers import _Idle


def test_a_freed_worker_goes_to_the_request_that_waited_not_to_a_newcomer():
    async def scenario():
        idle = _Idle()
        waited = asyncio.create_task(idle.get(5))
        await asyncio.sleep(0.05)  # it waits in line
        newcomer = asyncio.create_task(idle.get(0.2))  # arrives, and runs before the waiter wakes
        idle.put("worker")  # a query ends
        assert await waited == "worker"
        with pytest.raises(TimeoutError):
            await newcomer

    asyncio.run(scenario())


def test_a_worker_handed_to_a_request_that_gives_up_goes_to_the_next_in_line():
    async def scenario():
        idle = _Idle()
        first, second = asyncio.create_task(idle.get(5)), asyncio.create_task(idle.get(5))
        await asyncio.sleep(0.05)  # both wait in line
        idle.put("worker")  # handed to the first ...
        first.cancel()  # ... which is cancelled before it could take it
        assert await second == "worker"
        with pytest.raises(asyncio.CancelledError):
            await first

    asyncio.run(scenario())


def test_an_idle_worker_is_taken_at_once_and_a_wait_ends_at_the_queue_wait():
    async def scenario():
        idle = _Idle()
        idle.put("worker")
        assert await idle.get(0) == "worker"
        with pytest.raises(TimeoutError):
            await idle.get(0.05)
        idle.put("worker")  # the one that timed out left the line: nobody takes it but the next request
        assert await idle.get(0) == "worker"

    asyncio.run(scenario())
