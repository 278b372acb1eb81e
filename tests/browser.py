"""Debian's Chromium for the browser tests: found, or the test FAILS saying how to install it (never skips)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
INSTALL = ("Chromium is needed for the browser tests ({what}) and was not found at {path}. "
           "`sh scripts/test.sh` installs it where it can (or says the command to run), "
           "or point the CHROMIUM environment variable at a Chromium binary.")


def chromium_path(what: str) -> str:
    """$CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH."""
    wanted = os.environ.get("CHROMIUM")
    path = wanted or (CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium"))
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(INSTALL.format(what=what, path=wanted or CHROMIUM), pytrace=False)
    return path
