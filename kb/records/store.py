"""A persistent store on disk (Oxigraph): one named graph per source file, with its provenance.

Loads are all-or-nothing, and readers never see half a load, because the store is versioned:

    STORE/CURRENT      the name of the version readers open (replaced atomically with os.replace)
    STORE/v000007/     an Oxigraph database; a load copies the current one (a RocksDB checkpoint, hard
                       links, cheap), changes the copy, flushes it and only then points CURRENT at it
    STORE/lock         held by the one writer at a time

A load that fails, or a process killed in the middle, leaves CURRENT at the previous version: the store opens
with exactly its previous content. A reader opens the version CURRENT names, read-only, and keeps seeing it
while a newer one is written. Old versions are removed after a while (the last few are kept for readers that
are still open).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from kb import __version__
from kb.namespaces import DXD, DXO
from kb.records.batch import Batch

DEFAULT_STORE = "kb-store"
PROVENANCE = DXD["graph/provenance"]
RESULTS_PREFIX = str(DXD["run/"])
KEEP_VERSIONS = 3
_VERSION = re.compile(r"^v(\d{6})$")


class StoreError(RuntimeError):
    """The store cannot be opened or changed; the message says where and why."""


@dataclass(frozen=True)
class GraphInfo:
    graph: str
    source: str | None
    sha256: str | None
    loaded: str | None
    loader: str | None
    triples: int


def source_graph(source: str) -> URIRef:
    """The graph of a source file: its resolved path as a file IRI, so a reload finds and replaces it."""
    return URIRef(Path(source).resolve().as_uri()) if source != "<stdin>" else DXD["graph/stdin"]


class Store:
    """A versioned Oxigraph store in a folder."""

    def __init__(self, path: str | os.PathLike = DEFAULT_STORE):
        self.path = Path(path)

    # --- versions ---------------------------------------------------------------------------------------------

    def _versions(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if _VERSION.match(p.name) and p.is_dir())

    def current(self) -> Path | None:
        marker = self.path / "CURRENT"
        if not marker.exists():
            return None
        name = marker.read_text(encoding="utf-8").strip()
        if not _VERSION.match(name) or not (self.path / name).is_dir():
            raise StoreError(f"{marker}: names {name!r}, which is not a version folder of this store")
        return self.path / name

    def exists(self) -> bool:
        return self.current() is not None

    @contextmanager
    def reading(self) -> Iterator[ox.Store]:
        """The current version, read-only; an empty in-memory store if nothing was loaded yet."""
        current = self.current()
        yield ox.Store.read_only(str(current)) if current else ox.Store()

    @contextmanager
    def writing(self) -> Iterator[ox.Store]:
        """A new version to change; it becomes current only if the block ends without an exception."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{self.path}: another kb process is writing to this store") from None
            current = self.current()
            for unfinished in (p for p in self._versions() if current is None or p.name > current.name):
                shutil.rmtree(unfinished, ignore_errors=True)  # left by a load that was killed
            number = max([int(_VERSION.match(p.name).group(1)) for p in self._versions()] + [0]) + 1
            fresh = self.path / f"v{number:06d}"
            if current is not None:
                ox.Store.read_only(str(current)).backup(str(fresh))
            store = ox.Store(str(fresh))
            try:
                yield store
                store.flush()
            except BaseException:
                store = None  # close the database before removing its folder
                shutil.rmtree(fresh, ignore_errors=True)
                raise
            store = None
            self._point_at(fresh)
            self._collect(keep=fresh)

    def _point_at(self, version: Path) -> None:
        marker = self.path / "CURRENT.tmp"
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write(version.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(marker, self.path / "CURRENT")
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _collect(self, keep: Path) -> None:
        """Remove versions older than the last few, and unfinished ones a killed load left behind."""
        versions = self._versions()
        for old in versions[:-KEEP_VERSIONS]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)

    # --- loading ------------------------------------------------------------------------------------------------

    def load(self, batch: Batch) -> list[GraphInfo]:
        """Put each source of `batch` in its own graph, replacing an earlier load of the same file."""
        now = datetime.now(UTC).isoformat()
        loaded = []
        with self.writing() as store:
            for source, graph in batch.graphs.items():
                name = source_graph(source)
                node = ox.NamedNode(str(name))
                store.remove_graph(node)
                store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE}> {{ <{name}> ?p ?o }} }}")
                store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=node)
                digest = _sha256(source, graph)
                provenance = _provenance(name, source, digest, now, len(graph))
                store.load(provenance.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES,
                           to_graph=ox.NamedNode(str(PROVENANCE)))
                loaded.append(GraphInfo(str(name), source, digest, now, f"kb {__version__}", len(graph)))
        return loaded

    def save_results(self, run: URIRef, results: Graph) -> None:
        """Keep a validation run's results in a graph named after the run, next to the records."""
        with self.writing() as store:
            store.load(results.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES,
                       to_graph=ox.NamedNode(str(run)))

    def drop(self, graph: str) -> bool:
        """Remove a graph (a source's or a run's) and its provenance; False if there is no such graph."""
        node = ox.NamedNode(graph)
        with self.reading() as store:
            if not store.contains_named_graph(node):
                return False
        with self.writing() as store:
            store.remove_graph(node)
            store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE}> {{ <{graph}> ?p ?o }} }}")
        return True

    # --- reading ------------------------------------------------------------------------------------------------

    def info(self) -> list[GraphInfo]:
        with self.reading() as store:
            found = []
            for node in sorted(store.named_graphs(), key=lambda n: n.value):
                if node.value == str(PROVENANCE):
                    continue
                facts = {q.predicate.value: q.object.value
                         for q in store.quads_for_pattern(node, None, None, ox.NamedNode(str(PROVENANCE)))}
                count = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
                found.append(GraphInfo(node.value, facts.get(str(DXO.sourceFile)), facts.get(str(DXO.sha256)),
                                       facts.get(str(PROV.generatedAtTime)), facts.get(str(DXO.loaderVersion)), count))
            return found

    def batch(self) -> Batch:
        """The records of every source graph, as `kb.records.load.read` would give them (runs' results left out)."""
        return Batch(graphs=dict(self.graphs()))

    def graphs(self) -> Iterator[tuple[str, Graph]]:
        """(source, its records) for each source graph, one at a time: a large store is never all in memory."""
        with self.reading() as store:
            for info in self._source_graphs(store):
                data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(info[0]))
                yield info[1], Graph().parse(data=data.decode("utf-8"), format="nt")

    def results(self) -> Graph:
        """Every stored run's results."""
        graph = Graph()
        with self.reading() as store:
            for node in store.named_graphs():
                if node.value.startswith(RESULTS_PREFIX):
                    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node)
                    graph.parse(data=data.decode("utf-8"), format="nt")
        return graph

    def _source_graphs(self, store: ox.Store) -> list[tuple[str, str]]:
        found = []
        for node in sorted(store.named_graphs(), key=lambda n: n.value):
            if node.value == str(PROVENANCE) or node.value.startswith(RESULTS_PREFIX):
                continue
            source = next((q.object.value for q in store.quads_for_pattern(
                node, ox.NamedNode(str(DXO.sourceFile)), None, ox.NamedNode(str(PROVENANCE)))), node.value)
            found.append((node.value, source))
        return found


def _sha256(source: str, graph: Graph) -> str:
    """The checksum of the file as read (of the graph's N-Triples for stdin)."""
    path = Path(source)
    data = path.read_bytes() if path.is_file() else graph.serialize(format="nt", encoding="utf-8")
    return hashlib.sha256(data).hexdigest()


def _provenance(graph: URIRef, source: str, digest: str, when: str, triples: int) -> Graph:
    prov = Graph()
    prov.add((graph, RDF.type, PROV.Entity))
    prov.add((graph, DXO.sourceFile, Literal(source)))
    prov.add((graph, DCTERMS.source, URIRef(Path(source).resolve().as_uri()) if source != "<stdin>" else graph))
    prov.add((graph, DXO.sha256, Literal(digest)))
    prov.add((graph, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime)))
    prov.add((graph, DXO.loaderVersion, Literal(f"kb {__version__}")))
    prov.add((graph, DXO.tripleCount, Literal(triples, datatype=XSD.integer)))
    return prov
