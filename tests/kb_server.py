"""A real `kb serve` process for tests and benchmarks: `with running_kb_serve(tmp_path, "data/examples") as server:`.

The server runs as its own process on a free port of 127.0.0.1 (a collision with another process is retried on
a new port), with TMPDIR set to `tmp_path` so the test can see that it cleans up. It is ready when its
endpoint answers `ASK {}`; it is stopped with SIGINT, as Ctrl-C would, and killed if it does not stop in time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.oxigraph_server import free_port

START_SECONDS = 120.0
STOP_SECONDS = 15.0
ATTEMPTS = 3
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    startup_s: float = 0.0  # from the start of the process until the endpoint answered

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def children(self) -> set[int]:
        """The server's child processes (its query workers), read from /proc."""
        found = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    found.add(int(entry.name))
        return found


def answers(url: str, timeout: float = 1) -> bool:
    """True once a `kb serve` at `url` answers a query (False while it starts, or after it stopped)."""
    try:
        with DIRECT.open(f"{url}/sparql?query=ASK%7B%7D", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_kb_serve(tmp_path: Path, *args: str, start_seconds: float = START_SECONDS) -> Iterator[Server]:
    log = tmp_path / "kb-serve.log"
    environment = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    for _attempt in range(ATTEMPTS):
        port = free_port()
        started = time.monotonic()
        with open(log, "w") as output:
            process = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", *args, "--port", str(port)],
                                       stdout=output, stderr=subprocess.STDOUT, env=environment)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + start_seconds
        while time.monotonic() < deadline and process.poll() is None and not answers(url):
            time.sleep(0.2)
        if process.poll() is None and answers(url):
            break
        _stop(process)
        if "address already in use" not in log.read_text().lower():
            raise AssertionError(f"kb serve did not start:\n{log.read_text()}")
    else:
        raise AssertionError(f"kb serve found no free port in {ATTEMPTS} attempts:\n{log.read_text()}")
    server = Server(url, process, log, time.monotonic() - started)
    try:
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
