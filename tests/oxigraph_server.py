"""A real Oxigraph server process for tests: `with running_oxigraph(tmp_path) as base_url: ...`.

The `oxigraph` command comes from the pip package of that name (a test extra). Without it the tests FAIL with a
message saying how to install it: a server test that silently skips would pass over what it is there to check.

The server runs as ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` on a free port (picked by binding port 0;
a collision with another process is retried on a new port), answers on 127.0.0.1 only, and is terminated on exit
(killed if it does not stop within 5 s). Its stdout and stderr go to a file in DIR's parent, shown on failure.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_SECONDS = 20.0
STOP_SECONDS = 5.0
ATTEMPTS = 3
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


def oxigraph_command() -> str:
    """The `oxigraph` executable beside this Python (a venv not on PATH) or on PATH; the test fails without it."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail(
            "the `oxigraph` server command is not installed; these tests run a real Oxigraph server. "
            "Install the test extras: pip install -e '.[test]' (or pip install oxigraph==0.5.13)",
            pytrace=False,
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(base_url: str) -> bool:
    try:
        with _DIRECT.open(f"{base_url}/query?query=ASK%7B%7D", timeout=0.5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_oxigraph(tmp_path: Path, *extra_args: str) -> Iterator[str]:
    """Start an Oxigraph server on a fresh database under `tmp_path`; yield its base URL, stop it on exit.

    `extra_args` go to `oxigraph serve` (for example "--union-default-graph").
    """
    command = oxigraph_command()
    location = tmp_path / "oxigraph-db"
    log_path = tmp_path / "oxigraph-server.log"
    for attempt in range(1, ATTEMPTS + 1):
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        args = [command, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra_args]
        with log_path.open("wb") as log:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_SECONDS
            while process.poll() is None and time.monotonic() < deadline:
                if _answers(base_url) and process.poll() is None:  # ours, not another process on the port
                    break
                time.sleep(0.05)
            else:
                _stop(process)
                said = log_path.read_text(encoding="utf-8", errors="replace").strip()
                if process.returncode is not None and "in use" in said.lower() and attempt < ATTEMPTS:
                    continue  # another process took the port between our probe and the server's bind
                pytest.fail(
                    f"the Oxigraph server did not answer on {base_url}/query within {START_SECONDS:g} s "
                    f"(exit code {process.returncode}).\ncommand: {' '.join(args)}\nits output:\n{said[-4000:]}",
                    pytrace=False,
                )
            yield base_url
            return
        finally:
            _stop(process)
