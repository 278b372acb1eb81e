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
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

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


def kept(name: str, key: bytes, compute: Callable[[], Any]) -> Any:
    """What `compute` gives, kept pickled between processes under `name` and a hash of `key` (every input it
    depends on: file bytes, readings, versions); a missing or damaged file is computed anew. The cache is written
    by this user's own processes only, like any cache in their home."""
    path = kept_path(name, key)
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # missing, damaged or from another version: computed anew, never trusted
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only home only costs the time
    return value


def kept_path(name: str, key: bytes) -> Path:
    """The file `kept` keeps a value in (rdflib's and Python's versions are part of every key)."""
    digest = hashlib.sha256(f"{rdflib.__version__} {sys.version}\0".encode() + key)
    return cache_dir() / f"{name}-{digest.hexdigest()[:24]}.pickle"


def files_key(paths: list[Path]) -> bytes:
    """The names and bytes of these files, as a key for `kept`."""
    return b"".join(path.name.encode() + b"\0" + path.read_bytes() + b"\0" for path in paths)


def parsed(paths: list[Path]) -> Graph:
    """The Turtle files as one graph, kept pickled: rdflib's Turtle parser takes most of a second over the
    ontology, shapes, provisions and vocabularies in every `kb` process; the pickled graph loads some twenty times
    faster."""
    def parse() -> Graph:
        graph = bind_prefixes(Graph())
        for path in paths:
            graph.parse(path, format="turtle")
        return graph
    return kept("graph", files_key(paths), parse)


@cache
def ontology() -> Graph:
    """The ontology modules (not the vocabularies)."""
    return parsed(sorted(ONTOLOGY_DIR.glob("*.ttl")))


@cache
def vocabularies() -> Graph:
    """The SKOS concept schemes."""
    return parsed(sorted(VOCAB_DIR.glob("*.ttl")))


@cache
def regulation() -> Graph:
    """The act, its divisions and its 123 provisions, with any amendment files beside them."""
    return parsed(sorted(REGULATION_DIR.glob("*.ttl")))


@cache
def shapes() -> Graph:
    """The SHACL shapes of every article and the constraint components they use."""
    return parsed(sorted(SHAPES_DIR.glob("*.ttl")))


@cache
def context() -> dict:
    """The bundled JSON-LD context, as a dict (never fetched)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
