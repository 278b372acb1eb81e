"""Shared fixtures: the repository root, and the shared material beside it; rdflib's query texts parsed once."""

from functools import lru_cache
from pathlib import Path

import pytest
from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@lru_cache(maxsize=4096)
def _translated(text: str, base: str | None, namespaces: frozenset):
    return translateQuery(parseQuery(text), base, dict(namespaces))


def _query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
    """rdflib parses a query text on every call, and pySHACL, the reference the fast engine is compared with on every
    case, sends the same 60 constraint texts each time: two thirds of its time went to parsing them again. A parsed
    and translated query is what rdflib's prepareQuery gives for reuse, so the answers are the same."""
    if isinstance(strOrQuery, str):
        strOrQuery = _translated(strOrQuery, base, frozenset((initNs or {}).items()))
    return processor.evalQuery(self.graph, strOrQuery, initBindings, base)


processor.SPARQLProcessor.query = _query


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
