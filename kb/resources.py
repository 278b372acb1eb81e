"""Where the knowledge base's own files are, and loading them once per process.

The ontology, vocabularies, provisions, calendar and shapes live in the repository beside the package
(`pip install -e .`); `KB_HOME` points elsewhere when needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path

import rdflib
from rdflib import Graph

from kb.namespaces import bind_prefixes

HOME = Path(os.environ.get("KB_HOME", Path(__file__).resolve().parent.parent))
ONTOLOGY_DIR = HOME / "ontology"
VOCAB_DIR = ONTOLOGY_DIR / "vocab"
SHAPES_DIR = HOME / "shapes"
REGULATION_DIR = HOME / "data" / "regulation"
REGULATION_FILE = REGULATION_DIR / "regulation.ttl"
CALENDAR_FILE = HOME / "data" / "calendar" / "working-days.ttl"
EXAMPLES_DIR = HOME / "data" / "examples"
CONTEXT_FILE = Path(__file__).resolve().parent / "records" / "context.jsonld"
CONTEXT_IRI = "https://w3id.org/daxing-zuofeng/context.jsonld"
META_SHAPES_FILE = SHAPES_DIR / "meta" / "shape-metadata.ttl"


def cache_dir() -> Path:
    """Where work that depends only on the knowledge base's own files is kept between processes ($KB_CACHE)."""
    return Path(os.environ.get("KB_CACHE") or Path.home() / ".cache" / "daxing-zuofeng-kb")


def _parse_all(paths: list[Path]) -> Graph:
    """The Turtle files as one graph, from the cache when the same files were parsed before.

    rdflib's Turtle parser takes most of a second over the ontology, shapes, provisions and vocabularies, in every
    `kb` process; the parsed graph, pickled, loads some twenty times faster. The cache file is named by a hash of
    every file's name and bytes and of rdflib's and Python's versions, and is written by this user's own processes
    only (a damaged one is parsed anew)."""
    digest = hashlib.sha256(f"{rdflib.__version__} {sys.version}".encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    cached = cache_dir() / f"graph-{digest.hexdigest()[:24]}.pickle"
    try:
        graph = pickle.loads(cached.read_bytes())
        if isinstance(graph, Graph):
            return graph
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        pass
    graph = bind_prefixes(Graph())
    for path in paths:
        graph.parse(path, format="turtle")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=cached.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cached)
    except OSError:
        pass  # a read-only home only costs the parsing
    return graph


@cache
def ontology() -> Graph:
    """The ontology modules (not the vocabularies)."""
    return _parse_all(sorted(ONTOLOGY_DIR.glob("*.ttl")))


@cache
def vocabularies() -> Graph:
    """The SKOS concept schemes."""
    return _parse_all(sorted(VOCAB_DIR.glob("*.ttl")))


@cache
def regulation() -> Graph:
    """The act, its divisions and its 123 provisions, with any amendment files beside them."""
    return _parse_all(sorted(REGULATION_DIR.glob("*.ttl")))


@cache
def shapes() -> Graph:
    """The SHACL shapes of every article and the constraint components they use."""
    return _parse_all(sorted(SHAPES_DIR.glob("*.ttl")))


@cache
def context() -> dict:
    """The bundled JSON-LD context, as a dict (never fetched)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
