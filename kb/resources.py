"""Where the knowledge base's own files are, and loading them once per process.

The ontology, vocabularies, provisions, calendar and shapes live in the repository beside the package
(`pip install -e .`); `KB_HOME` points elsewhere when needed.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

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
    graph = bind_prefixes(Graph())
    for path in paths:
        graph.parse(path, format="turtle")
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
