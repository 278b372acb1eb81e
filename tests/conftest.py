"""Shared fixtures: the repository root, and the shared material beside it."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared material is missing: {SHARED} (CI lays it beside the clone)")
    return SHARED


@pytest.fixture
def listener():
    """A port on 127.0.0.1 that counts who connects (tests/listener.py): the proof that nothing was sent."""
    from tests.listener import Listener

    listening = Listener()
    yield listening
    listening.close()
