"""Long work feels right: a progress bar on a terminal and none in a pipe, and Ctrl-C stops cleanly.

The real `kb` command runs as a process; a pseudo-terminal stands in for the user's terminal.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import generate
from kb.checking.pipeline import compiled_shapes
from kb.reasoning import readings

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-m", "kb.cli"]
EXAMPLES = ROOT / "data" / "examples" / "meetings.json"  # some of its meetings break article 8


def test_no_progress_bar_when_stderr_is_piped():
    run = subprocess.run([*KB, "validate", str(EXAMPLES)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "checking [" not in run.stderr and "\r" not in run.stderr


def test_a_progress_bar_on_a_terminal_and_the_report_unchanged():
    main, replica = pty.openpty()
    process = subprocess.Popen([*KB, "validate", str(EXAMPLES)], stdout=subprocess.PIPE, stderr=replica)
    os.close(replica)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 300)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    report = process.stdout.read().decode("utf-8")
    assert process.wait(timeout=60) == 1
    os.close(main)
    checks = len(compiled_shapes(readings.resolve()).checks)
    assert b"checking [" in seen and f"{checks}/{checks}".encode() in seen, seen[-300:]
    piped = subprocess.run([*KB, "validate", str(EXAMPLES)], capture_output=True, text=True, timeout=300)
    assert report == piped.stdout, "the report is the same whether or not a terminal shows progress"


def test_ctrl_c_stops_with_a_message_no_traceback_and_no_half_written_report(tmp_path: Path):
    """Ctrl-C on a terminal interrupts the whole process group: the command and its partitions' workers."""
    generate.write(tmp_path / "sample", 3000)
    report = tmp_path / "report.json"
    process = subprocess.Popen([*KB, "validate", str(tmp_path / "sample" / "records"), "--format", "json",
                                "--partition-size", "200", "--jobs", "2", "-o", str(report)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(8)  # past start-up, inside the work (the run takes 20 s and more)
    assert process.poll() is None, "the run ended before it could be interrupted: give it more records"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert not report.exists() and not list(tmp_path.glob("*.part")), "nothing half-written is left"
