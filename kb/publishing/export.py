"""`kb export DIR`: the published dataset as linked-data dumps that another agency can check.

Files written into DIR (`daxing-zuofeng.*` unless said):

    .trig .nq          the whole dataset, named graphs kept
    .ttl .nt .rdf      the union of all graphs (one graph; a blank node shared by two graphs stays one node)
    .jsonld            the whole dataset, named graphs kept, compacted with our context, referenced by its IRI
    .canonical.nq      the RDFC-1.0 canonical N-Quads: canonical blank node labels, lines sorted by code point
    .canonical.nq.sha256   its SHA-256 in `sha256sum` format (`sha256sum -c` checks it)
    context.jsonld     a copy of the context the JSON-LD names, so receivers need not fetch it
    void.ttl           a VoID + DCAT description: data/publishing/dataset.ttl plus the figures computed here

Every dump is made from the canonicalised dataset, so blank nodes carry their canonical labels and the same data
gives byte-identical dumps. Nothing replaces a file of an earlier export until every new file is on disk: each
file goes to a temporary file in DIR (flushed and fsynced), and only then are they renamed over the old ones,
void.ttl last. A failure before that leaves the earlier export untouched and no temporary file behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from kb import resources
from kb.files import Staging, Written
from kb.namespaces import BASE, KBG, PREFIX_IRIS

if TYPE_CHECKING:
    from kb.publishing.dataset import Published

STEM = "daxing-zuofeng"
CANONICAL = f"{STEM}.canonical.nq"
CHECKSUM = f"{CANONICAL}.sha256"
CONTEXT = "context.jsonld"
DESCRIPTION = "void.ttl"
DESCRIPTION_FILE = resources.HOME / "data" / "publishing" / "dataset.ttl"
DATASET = URIRef(BASE + "dataset")

SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
IANA = "http://www.iana.org/assignments/media-types/"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
RDFC = URIRef("https://www.w3.org/TR/rdf-canon/")
# Only with no base URL: file IRIs are written relative, so void.ttl names the files beside it wherever it lies.
_HERE = "http://export.invalid/here/"


class ExportError(Exception):
    """The export cannot be made as it must (a fault of the knowledge base, not of the records): the publishing
    description is unusable, or the JSON-LD writer asked to fetch a document."""


@dataclass(frozen=True)
class Source:
    """The canonicalised dataset, in the orders the dumps want."""

    quads: list[ox.Quad]  # by graph, subject, predicate, object
    union: list[ox.Triple]  # each triple once, by subject, predicate, object
    canonical: bytes  # RDFC-1.0 canonical N-Quads


@dataclass(frozen=True)
class Dump:
    """One dump: its file name, IANA media type, W3C format name, titles saying what it holds, and its writer."""

    name: str
    media_type: str
    format: str
    title_zh: str
    title_en: str
    write: Callable[[Source], bytes]


def prepare(store: ox.Store) -> Source:
    """Canonicalise the store's quads (RDFC-1.0) and order them for the dumps."""
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    lines.sort()  # UTF-8 byte order is code point order
    keyed = sorted(((str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)), q) for q in dataset)
    quads = [q for _, q in keyed]
    union = {(key[1], key[2], key[3]): q.triple for key, q in keyed}
    return Source(quads, [union[key] for key in sorted(union)], b"".join(lines))


def _prefixes() -> dict[str, str]:
    return PREFIX_IRIS | {"kbg": str(KBG)}


def _oxigraph(format: ox.RdfFormat, union: bool) -> Callable[[Source], bytes]:
    def write(source: Source) -> bytes:
        prefixes = _prefixes() if format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
        return ox.serialize(source.union if union else source.quads, format=format, prefixes=prefixes)

    return write


def _offline(url: str, options=None):
    """pyld's document loader: the export never fetches anything."""
    raise ExportError(f"the JSON-LD export tried to load {url!r}; it must work offline")


def _pyld_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": "_:" + term.value}
    value = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    if term.language:
        value["language"] = term.language
    return value


def _jsonld(source: Source) -> bytes:
    """JSON-LD 1.1 compacted with our context, named graphs kept, the context referenced by its IRI.

    pyld does the compaction (the reference algorithm; rdflib's serializer rewrites lexical forms such as
    "...Z" datetimes, which changes the data). Literals stay strings with their datatype (no native numbers), so
    every lexical form survives. The context's @base is set to null for the compaction: conforming processors
    ignore @base in a context loaded by IRI (pyld applies it), so the file must hold no relative IRI.
    Reading it back, pyld rewrites a string-valued xsd:double ("1" becomes "1.0E0"); the dataset holds none.
    """
    from pyld import jsonld

    dataset: dict[str, list] = {}
    for quad in source.quads:
        graph = "@default" if isinstance(quad.graph_name, ox.DefaultGraph) else _pyld_term(quad.graph_name)["value"]
        dataset.setdefault(graph, []).append({"subject": _pyld_term(quad.subject),
                                              "predicate": _pyld_term(quad.predicate),
                                              "object": _pyld_term(quad.object)})
    options = {"documentLoader": _offline}
    expanded = jsonld.from_rdf(dataset, {**options, "useNativeTypes": False})
    context = {**resources.context(), "@base": None}
    compacted = jsonld.compact(expanded, {"@context": context}, {**options, "skipExpansion": True})
    compacted["@context"] = resources.CONTEXT_IRI
    return (json.dumps(compacted, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


DUMPS = (
    Dump(f"{STEM}.trig", "application/trig", "TriG", "整个数据集，保留命名图（TriG）",
         "The whole dataset, named graphs kept (TriG)", _oxigraph(ox.RdfFormat.TRIG, union=False)),
    Dump(f"{STEM}.nq", "application/n-quads", "N-Quads", "整个数据集，保留命名图（N-Quads）",
         "The whole dataset, named graphs kept (N-Quads)", _oxigraph(ox.RdfFormat.N_QUADS, union=False)),
    Dump(f"{STEM}.ttl", "text/turtle", "Turtle", "所有命名图的并集（Turtle）",
         "The union of all graphs (Turtle)", _oxigraph(ox.RdfFormat.TURTLE, union=True)),
    Dump(f"{STEM}.nt", "application/n-triples", "N-Triples", "所有命名图的并集（N-Triples）",
         "The union of all graphs (N-Triples)", _oxigraph(ox.RdfFormat.N_TRIPLES, union=True)),
    Dump(f"{STEM}.rdf", "application/rdf+xml", "RDF_XML", "所有命名图的并集（RDF/XML）",
         "The union of all graphs (RDF/XML)", _oxigraph(ox.RdfFormat.RDF_XML, union=True)),
    Dump(f"{STEM}.jsonld", "application/ld+json", "JSON-LD", "整个数据集，保留命名图（JSON-LD，使用本库上下文）",
         "The whole dataset, named graphs kept (JSON-LD compacted with our context)", _jsonld),
    Dump(CANONICAL, "application/n-quads", "N-Quads", "整个数据集的 RDFC-1.0 规范形式（N-Quads），用于校验",
         "The whole dataset in RDFC-1.0 canonical form (N-Quads), for checking", lambda source: source.canonical),
)


def export(published: Published, directory: Path, base_url: str | None = None, *,
           now: datetime | None = None) -> list[Path]:
    """Write the dumps, the checksum, the context and void.ttl into `directory` (created if missing).

    Args:
        published: the dataset, as `kb.publishing.dataset.build` makes it.
        directory: where the files go; files of an earlier export are replaced only once all new ones are written.
        base_url: where the folder will be served (e.g. "https://data.example.org/daxing"): the download URLs
            become absolute and void.ttl names the SPARQL endpoint base_url + "/sparql". Without it, void.ttl
            names the files by relative IRIs, which resolve against wherever void.ttl is read from.
        now: the export time recorded as dct:modified (default: the current time, in UTC).

    Returns:
        The paths written, void.ttl last.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC).replace(microsecond=0)
    description = _description()  # read before writing anything: a broken description leaves DIR untouched
    source = prepare(published.store)
    with Staging(directory) as staging:
        dumps = [(dump, staging.add(dump.name, dump.write(source))) for dump in DUMPS]
        canonical = next(written for dump, written in dumps if dump.name == CANONICAL)
        staging.add(CHECKSUM, f"{canonical.sha256}  {CANONICAL}\n")
        context = staging.add(CONTEXT, resources.CONTEXT_FILE.read_bytes())
        staging.add(DESCRIPTION, describe(description, source, dumps, context, base_url, now))
    return [directory / written.name for written in staging.written]


def _description() -> Graph:
    graph = Graph().parse(DESCRIPTION_FILE, format="turtle")
    if (DATASET, RDF.type, DCAT.Dataset) not in graph:
        raise ExportError(f"{DESCRIPTION_FILE}: no description of <{DATASET}> as a dcat:Dataset")
    return graph


def describe(description: Graph, source: Source, dumps: Iterable[tuple[Dump, Written]], context: Written,
             base_url: str | None, now: datetime) -> bytes:
    """void.ttl: the publishing description with the figures of this export added."""
    graph = Graph()
    for prefix, namespace in {"dct": DCTERMS, "dcat": DCAT, "void": VOID, "sd": SD, "spdx": SPDX, "foaf": FOAF,
                              "rdfs": RDFS, "xsd": XSD, "kbg": KBG}.items():
        graph.bind(prefix, namespace, override=True)
    graph += description
    here = base_url.rstrip("/") + "/" if base_url else _HERE

    def count(value: int) -> Literal:
        return Literal(value, datatype=XSD.integer)

    dataset = DATASET
    modified = Literal(now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime, normalize=False)
    graph.set((dataset, DCTERMS.modified, modified))
    if graph.value(dataset, DCTERMS.issued) is None:
        graph.add((dataset, DCTERMS.issued, Literal(now.astimezone(UTC).date().isoformat(), datatype=XSD.date)))
    graph.set((dataset, VOID.uriSpace, Literal(BASE)))
    subjects = {t.subject for t in source.union}
    objects = {t.object for t in source.union}
    properties = {t.predicate for t in source.union}
    classes = {t.object for t in source.union if t.predicate.value == str(RDF.type)}
    for predicate, value in ((VOID.triples, len(source.quads)), (VOID.distinctSubjects, len(subjects)),
                             (VOID.distinctObjects, len(objects)), (VOID.properties, len(properties)),
                             (VOID.classes, len(classes))):
        graph.add((dataset, predicate, count(value)))
    for vocabulary in sorted({_namespace(term.value) for term in properties | classes
                              if isinstance(term, ox.NamedNode)}):
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    if base_url:
        graph.add((dataset, VOID.sparqlEndpoint, URIRef(here + "sparql")))

    sizes: dict[str, int] = {}
    for quad in source.quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            sizes[quad.graph_name.value] = sizes.get(quad.graph_name.value, 0) + 1
    described = {str(name): subset for subset, name in description.subject_objects(SD.name)}
    for subset in set(described.values()):
        if str(description.value(subset, SD.name)) not in sizes:  # a part this export does not hold
            graph.remove((subset, None, None))
    for name, size in sorted(sizes.items()):
        subset = described.get(name) or URIRef(f"{DATASET}/{name.rstrip('/').rsplit('/', 1)[-1]}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(name)))
        graph.add((subset, VOID.triples, count(size)))

    licence = graph.value(dataset, DCTERMS.license)
    for dump, written in dumps:
        distribution = _file(graph, here, written, dump.media_type)
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.title_zh, lang="zh")))
        graph.add((distribution, DCTERMS.title, Literal(dump.title_en, lang="en")))
        graph.add((distribution, DCTERMS.format, URIRef(W3C_FORMATS + dump.format)))
        if licence is not None:
            graph.add((distribution, DCTERMS.license, licence))
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((dataset, VOID.dataDump, URIRef(here + written.name)))
        if dump.name == CANONICAL:
            graph.add((distribution, DCTERMS.conformsTo, RDFC))
            graph.add((distribution, RDFS.seeAlso, URIRef(here + CHECKSUM)))
        if dump.name.endswith(".jsonld"):
            copy = _file(graph, here, context, "application/ld+json")
            graph.add((copy, DCTERMS.title, Literal("本数据集 JSON-LD 所引用的上下文（副本）", lang="zh")))
            graph.add((copy, DCTERMS.title, Literal("A copy of the context the JSON-LD names", lang="en")))
            graph.add((copy, DCTERMS.source, URIRef(resources.CONTEXT_IRI)))
            graph.add((distribution, DCTERMS.requires, copy))

    itself = URIRef(here + DESCRIPTION)
    graph.add((itself, RDF.type, VOID.DatasetDescription))
    graph.add((itself, FOAF.primaryTopic, dataset))
    graph.add((itself, DCTERMS.modified, modified))
    graph.add((itself, RDFS.comment, Literal(
        "本文件在所有数据文件写完后最后生成；它无法包含自身的大小和校验和（写入后文件即改变）。", lang="zh")))
    graph.add((itself, RDFS.comment, Literal(
        "Written last, after every file it describes; it cannot hold its own size or checksum, since writing them "
        "would change the file.", lang="en")))

    text = graph.serialize(format="longturtle", base=here if not base_url else None)
    if not base_url:
        head = f"BASE <{_HERE}>\n"
        if not text.startswith(head):
            raise ExportError("void.ttl: expected the serializer to put the placeholder base first")
        text = text[len(head):]
    header = ("# Generated by kb export (kb/publishing/export.py) from data/publishing/dataset.ttl; do not edit.\n"
              + ("" if base_url else "# The files are named by relative IRIs: they are the files beside this one.\n"))
    return (header + text).encode("utf-8")


def _file(graph: Graph, here: str, written: Written, media_type: str) -> BNode:
    """A file of the export: where to get it, its media type, size and SHA-256 (the DCAT 3 way, with SPDX).

    Its blank nodes are labelled after the file, so that the same export writes the same void.ttl.
    """
    node, checksum = BNode(f"file-{written.name}"), BNode(f"sha256-{written.name}")
    url = URIRef(here + written.name)
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.mediaType, URIRef(IANA + media_type)))
    graph.add((node, DCAT.byteSize, Literal(written.size, datatype=XSD.nonNegativeInteger)))
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(written.sha256, datatype=XSD.hexBinary)))
    return node


def _namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: up to its last '#', or else its last '/'."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]
