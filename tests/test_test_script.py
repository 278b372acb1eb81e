"""The README's test command sets up what the browser tests need, or says exactly how (scripts/browser-deps.sh).

The script runs under `sh` with a PATH of stand-ins: a package manager that records what it was asked, an `id`
that says who we are, `fc-list` and `chromium` present or not. The real system is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "browser-deps.sh"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def run(tmp_path: Path, *, uid: int, chromium: bool, font: bool, manager: str | None = "apt-get",
        sudo: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("sh", "grep", "sed", "cat"):
        os.symlink(shutil.which(tool), bin_ / tool)
    log = tmp_path / "asked"
    _stub(bin_, "id", f"echo {uid}")
    _stub(bin_, "fc-list", "echo 'WenQuanYi Micro Hei:style=Regular'" if font else "true")
    if chromium:
        _stub(bin_, "chromium", "true")
    if manager:
        _stub(bin_, manager, f'echo "{manager} $*" >> {log}')
    if sudo:
        _stub(bin_, "sudo", 'if [ "$1" = -n ]; then exit 0; fi; echo "sudo $*" >> ' + str(log) + '; "$@"')
    env = {"PATH": str(bin_), "HOME": str(tmp_path)}
    done = subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)
    return done, log.read_text().splitlines() if log.exists() else []


def test_nothing_is_installed_when_chromium_and_a_chinese_font_are_there(tmp_path):
    done, asked = run(tmp_path, uid=1000, chromium=True, font=True)
    assert done.returncode == 0, done.stderr
    assert asked == [] and done.stderr == ""


def test_as_root_it_installs_what_is_missing_and_says_so(tmp_path):
    done, asked = run(tmp_path, uid=0, chromium=False, font=False)
    assert done.returncode == 0, done.stderr
    assert asked == ["apt-get update -q", "apt-get install -y -q chromium fonts-wqy-microhei"]
    assert "Installing chromium fonts-wqy-microhei for the browser tests" in done.stderr


def test_only_the_missing_font_is_asked_for(tmp_path):
    done, asked = run(tmp_path, uid=0, chromium=True, font=False, manager="dnf")
    assert done.returncode == 0, done.stderr
    assert asked == ["dnf install -y wqy-microhei-fonts"]


def test_with_sudo_it_installs_through_sudo(tmp_path):
    done, asked = run(tmp_path, uid=1000, chromium=False, font=True, sudo=True)
    assert done.returncode == 0, done.stderr
    assert asked[-1] == "apt-get install -y -q chromium"
    assert "sudo sh -c" in done.stderr


def test_without_the_rights_it_stops_with_the_exact_command(tmp_path):
    done, asked = run(tmp_path, uid=1000, chromium=False, font=False)
    assert done.returncode == 2 and asked == []
    assert "sudo sh -c 'apt-get update -q && apt-get install -y -q chromium fonts-wqy-microhei'" in done.stderr


def test_without_a_known_package_manager_it_says_what_to_install(tmp_path):
    done, asked = run(tmp_path, uid=0, chromium=False, font=True, manager=None)
    assert done.returncode == 2 and asked == []
    assert "need chromium" in done.stderr and "CHROMIUM" in done.stderr


def test_the_quick_start_and_ci_run_the_same_script():
    """The Quick start's second command and CI cannot drift apart: both are scripts/test.sh, which runs pytest."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines()[1] == "sh scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "sh scripts/test.sh" in ci and "pytest" not in ci
    assert "exec python3 -m pytest" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
