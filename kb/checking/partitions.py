"""Validate a large batch in partitions, in parallel processes, to the same findings as one run over the whole.

Memory grows with a batch validated at once (every record, inferred triple and view as rdflib objects); a batch
cut into partitions of a few hundred records needs only one partition at a time per process, and uses every core.

What a partition must hold, read from the shapes (`dxs:groupsBy`, `dxs:sharedInEveryPartition`, docs/model.md):

- A record another record references (a person, a unit, a periodical ...), or of a class declared shared, is
  *shared*: every partition that links to it holds it (and every partition, for a shared class). Every other
  record is *partitioned*: one partition holds it.
- A shape that reads several partitioned records together (a leader's visits in a month, the receptions of one
  visiting unit) names the paths to what they share (`dxs:groupsBy`). Records that reach the same node by any such
  path land in the same partition, with the records that node is (its "home"). A shape that judges the node
  period by period (a leader's visits of each month) narrows the group to the node and the calendar period of a
  record's date (`dxs:groupsWithin`), so a year of visits need not share one partition. A shape that judges the
  node and reads only a few properties of its records (a periodical's issues and their rating, A12.7) says which
  (`dxs:groupReadsOnly`): its records are not kept together; the node's home partition reads those triples of
  each (a *projection*), so a group that grows with the batch never has to fit in one partition.
- A class inferred on a shared node from the records that link to it (a person recorded anywhere as a district
  leader, which A08.6 reads on a speaker) is inferred alike in every partition: the links a declaration names
  (`dxs:summarisedInEveryPartition`) are gathered over the batch, and every partition that holds or names the node
  reads one stand-in link per distinct kind (a participation in each role the person had).
- A finding on a partitioned record is taken from its partition; one on a shared record from its home partition
  (its group's; for a record of no group, the partition of the first record that names it), except a period's
  finding of a shape with `dxs:groupsWithin`, which is taken from the partition that holds that period's group
  (if there is one).

First pass (per source, in parallel): parse, cut the graph into records (each named node with its blank nodes),
and note for each its group nodes and the records it references; the records go to a spool file, pickled.
Second pass (per partition, in parallel): read back the partition's records and the shared ones they link to,
validate them as the whole-batch path does, and keep the findings that belong to the partition.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as RdfPath

from kb import resources
from kb.checking.findings import Finding, finding_order
from kb.checking.pipeline import NotInForce, Outcome, compiled_shapes, outcome_of, validate_batch, validate_graph
from kb.namespaces import DXS, bind_prefixes
from kb.reasoning import readings
from kb.reasoning.derive import derived_facts
from kb.reasoning.infer import closed_tbox, compiled_rules, infer, tbox_key
from kb.reasoning.readings import Choice
from kb.records.batch import CSV_SUFFIX, Batch, InputError
from kb.records.fields import KNOWN_NAMESPACES
from kb.records.load import parse_text, sources
from kb.records.tables import parse_csv
from kb.records.triples import owner

DEFAULT_SIZE = 500  # partitioned records per partition: about 250 MB per process with the records of this regulation
Progress = Callable[[int, int], None]


# --- What the shapes say a partition must hold ------------------------------------------------------------------


PERIOD_MONTHS = {DXS.CalendarMonth: 1, DXS.CalendarQuarter: 3}  # the calendar periods a dxs:groupsWithin names


@dataclass(frozen=True)
class Window:
    """A shape's calendar period (`dxs:groupsWithin`) and the path to the date that places a record in one."""

    period: URIRef
    date_path: RdfPath | URIRef
    reads_previous: bool = False  # a period's group also reads the records of the period before

    def of(self, value, later: int = 0) -> str | None:
        """The period a date lies in ('2024-03', '2024-Q1'), or the `later`th period after it; None for a value
        that is no date (SPARQL's YEAR and MONTH fail on it too, so the shape counts it in no period)."""
        day = value.toPython() if isinstance(value, Literal) else value
        if not isinstance(day, date):
            return None
        months = PERIOD_MONTHS[self.period]
        year, month = divmod(day.year * 12 + (day.month - 1) // months * months + later * months, 12)
        return f"{year:04d}-{month + 1:02d}" if months == 1 else f"{year:04d}-Q{month // 3 + 1}"

    def of_finding(self, finding: Finding) -> str | None:
        """The group key of a finding: its node and the period of its value (the period's first day)."""
        if finding.focus.startswith("_:") or not finding.value:
            return None
        try:
            period = self.of(date.fromisoformat(finding.value[:10]))
        except ValueError:
            return None
        return period and _period_key(f"<{finding.focus}>", period)


def _period_key(node: str, period: str) -> str:
    """A group key of a node in one period (no N-Triples term holds a space, so it is no node's key)."""
    return f"{node} {period}"


def _node_of(key: str) -> str:
    return key.split(" ", 1)[0]


@dataclass(frozen=True)
class Group:
    """One joining shape's paths to what its records share, the records they are read from (none: every one), and
    the period its records are grouped within (none: all time)."""

    paths: tuple[RdfPath | URIRef, ...]
    only: tuple[tuple[RdfPath | URIRef, object], ...] = ()  # (path, value it must reach, or None: any value)
    window: Window | None = None
    reads: frozenset[URIRef] = frozenset()  # the only properties read of its records (none: the whole record)

    def keys(self, described: Graph, record, later: int = 0) -> set[str]:
        """The group keys of a record: the nodes its paths reach, in N-Triples form, each with the period of the
        record's date when the shape groups within periods (or the `later`th period after it)."""
        if self.only and not any(any(value is None or node == value for node in described.objects(record, path))
                                 for path, value in self.only):
            return set()
        nodes = {_n3(node) for path in self.paths for node in described.objects(record, path)}
        if self.window is None or not nodes:
            return nodes
        periods = {self.window.of(day, later) for day in described.objects(record, self.window.date_path)} - {None}
        return {_period_key(node, period) for node in nodes for period in periods}

    def read_by(self, described: Graph, record) -> set[str]:
        """The groups that read the record besides its own: those of the next period, when the shape reads the
        period before (`dxs:readsPreviousPeriod`)."""
        if self.window is None or not self.window.reads_previous:
            return set()
        return self.keys(described, record, later=1)


@dataclass(frozen=True)
class Grouping:
    """The groups of the joining shapes, the classes whose records every partition holds, and the shapes whose
    findings are taken per period (by shape IRI)."""

    groups: tuple[Group, ...]
    shared_classes: frozenset[URIRef]
    windows: dict[str, Window] = field(default_factory=dict)
    summarised: dict[URIRef, tuple[URIRef, ...]] = field(default_factory=dict)  # a link: the properties it keeps


@cache
def grouping(choices: tuple[Choice, ...]) -> Grouping:
    """What the shapes say a partition must hold, kept on disk: reading it off the shapes and the closed TBox cost
    each fresh `kb` process a tenth of a second, even on one record."""
    key = tbox_key(choices) + readings.shapes_key(choices) + Path(__file__).read_bytes()
    return resources.kept("grouping", key, lambda: _grouping(choices))


def _grouping(choices: tuple[Choice, ...]) -> Grouping:
    shapes = readings.shapes(choices)
    groups = []
    windows: dict[str, Window] = {}
    for shape in sorted(set(shapes.subjects(DXS.groupsBy, None))):
        paths = tuple(_rdflib_path(shapes, node) for node in shapes.objects(shape, DXS.groupsBy))
        only = tuple((_rdflib_path(shapes, shapes.value(condition, SH.path)), shapes.value(condition, SH.hasValue))
                     for condition in shapes.objects(shape, DXS.groupsOnly))
        reads = frozenset(step for node in shapes.objects(shape, DXS.groupReadsOnly)
                          for step in Collection(shapes, node))
        if reads and not (set(paths) <= reads and all(isinstance(step, URIRef) for step in reads)
                          and shapes.value(shape, DXS.groupsWithin) is None):
            raise ValueError(f"dxs:groupReadsOnly of {shape}: a list of properties that holds each dxs:groupsBy path "
                             "(each a single property), on a shape without dxs:groupsWithin")
        within = shapes.value(shape, DXS.groupsWithin)
        window = None
        if within is not None:
            period = shapes.value(within, DXS.period)
            if period not in PERIOD_MONTHS:
                raise ValueError(f"dxs:groupsWithin of {shape}: dxs:period {period} is none of {sorted(PERIOD_MONTHS)}")
            window = windows[str(shape)] = Window(period, _rdflib_path(shapes, shapes.value(within, DXS.datePath)),
                                                  shapes.value(within, DXS.readsPreviousPeriod) == Literal(True))
        groups.append(Group(paths, only, window, reads))
    declared = set(shapes.subjects(DXS.sharedInEveryPartition, None))
    tbox = closed_tbox(choices).graph
    shared = {cls for cls in tbox.subjects(RDFS.subClassOf, None) if cls != OWL.Nothing and any(
        (cls, RDFS.subClassOf, top) in tbox for top in declared)} | declared
    summarised = {link: tuple(Collection(shapes, kept))
                  for link, kept in shapes.subject_objects(DXS.summarisedInEveryPartition)}
    return Grouping(tuple(dict.fromkeys(groups)), frozenset(shared), windows, summarised)


def _rdflib_path(shapes: Graph, node) -> RdfPath | URIRef:
    """A SHACL property path as rdflib evaluates one (`graph.objects(node, path)`)."""
    if isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in shapes:
        return SequencePath(*(_rdflib_path(shapes, step) for step in Collection(shapes, node)))
    for kind, make in ((SH.inversePath, InvPath), (SH.zeroOrMorePath, lambda p: MulPath(p, "*")),
                       (SH.oneOrMorePath, lambda p: MulPath(p, "+")), (SH.zeroOrOnePath, lambda p: MulPath(p, "?"))):
        inner = shapes.value(node, kind)
        if inner is not None:
            return make(_rdflib_path(shapes, inner))
    options = shapes.value(node, SH.alternativePath)
    if options is not None:
        return AlternativePath(*(_rdflib_path(shapes, step) for step in Collection(shapes, options)))
    raise ValueError(f"dxs:groupsBy {node}: not a SHACL property path")


# --- First pass: records, their groups and references -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """One record of one source: where its pickled triples lie in the spool, its group nodes and its references."""

    record: str  # the record's node, in N-Triples form
    source: str
    spool: str
    offset: int
    length: int
    keys: tuple[str, ...]
    references: tuple[str, ...]
    shared: bool  # of a shared class
    typed: bool  # has an rdf:type (a record a report counts, not a node it names)
    read_by: tuple[str, ...] = ()  # group keys whose partitions read it besides its own (`Group.read_by`)
    projected_to: tuple[str, ...] = ()  # group nodes whose home reads its projection (`dxs:groupReadsOnly`)
    projection: tuple[int, int] = (0, 0)  # where its projected triples lie in the spool (offset, length)

    def projected(self) -> Piece:
        """The piece as its projection: only the triples a projecting group reads."""
        return replace(self, offset=self.projection[0], length=self.projection[1])


def _n3(node) -> str:
    return sys.intern(node.n3())


def _names(items) -> tuple[str, ...]:
    """Names, each once, as a tuple: a large batch holds a piece per record, and a set of one to four names costs 216
    bytes (728 from five), a tuple 48 to 104."""
    return tuple(sorted(set(items)))


Link = tuple[str, URIRef, tuple]  # a summarised link: the node (N-Triples), the property, the kept (property, value)s


@dataclass
class Cut:
    """The records of one source, and the links to a node it holds that every partition must see summarised."""

    pieces: list[Piece] = field(default_factory=list)
    links: set[Link] = field(default_factory=set)


def cut(graph: Graph, source: str, spool: Path, rules: Grouping) -> Cut:
    """The records of one source graph, appended to `spool` (pickled triples), with what the planner needs of each.

    The spool is pickled, not N-Triples: this process wrote it, and rdflib reads N-Triples ten times slower than
    pickle gives its terms back."""
    triples: dict = defaultdict(list)
    owners: dict = {}
    for triple in graph:
        subject = triple[0]
        if subject not in owners:
            owners[subject] = owner(graph, subject)
        triples[owners[subject]].append(triple)
    described = ReadOnlyGraphAggregate([graph, derived_facts(graph)])
    pieces = []
    whole = [group for group in rules.groups if not group.reads]
    projecting = [group for group in rules.groups if group.reads]
    with spool.open("ab") as out:
        for record, own in triples.items():
            data = pickle.dumps(own, protocol=pickle.HIGHEST_PROTOCOL)
            offset = out.tell()
            out.write(data)
            keys = {key for group in whole for key in group.keys(described, record)}
            read_by = {key for group in whole for key in group.read_by(described, record)}
            projected_to: set[str] = set()
            reads: set[URIRef] = set()
            for group in projecting:
                if nodes := group.keys(described, record):
                    projected_to |= nodes
                    reads |= group.reads
            projection = (0, 0)
            if reads:
                projected = pickle.dumps([t for t in own if t[0] == record and t[1] in reads],
                                         protocol=pickle.HIGHEST_PROTOCOL)
                projection = (out.tell(), len(projected))
                out.write(projected)
            references = {_n3(o) for _, p, o in own if p != RDF.type and isinstance(o, URIRef) and o != record
                          and not str(o).startswith(KNOWN_NAMESPACES)}
            types = {cls for s, p, cls in own if p == RDF.type and s == record}
            pieces.append(Piece(_n3(record), source, str(spool), offset, len(data), _names(keys),
                                _names(references), bool(types & rules.shared_classes), bool(types),
                                _names(read_by), _names(projected_to), projection))
    return Cut(pieces, _links(graph, rules.summarised))


def _links(graph: Graph, summarised: dict[URIRef, tuple[URIRef, ...]]) -> set[Link]:
    """The source's links to a node by a summarised property, each as the node, the property and the values the
    linking node has of the properties kept (`dxs:summarisedInEveryPartition`): a person's participations, by role."""
    return {(_n3(node), link, tuple(sorted((kept, value) for kept in keeps for value in graph.objects(linking, kept))))
            for link, keeps in summarised.items() for linking, node in graph.subject_objects(link)
            if isinstance(node, URIRef)}


def cut_text(source: str, text: str, suffix: str, spool: Path, rules: Grouping) -> tuple[Cut, list[InputError]]:
    """Parse one source and cut it (what a worker of the first pass does)."""
    graph, errors = parse_text(text, suffix, source)
    return (cut(graph, source, spool, rules) if graph is not None and len(graph) else Cut()), errors


# --- The plan: which records each partition holds -----------------------------------------------------------------


@dataclass
class Partition:
    own: list[Piece] = field(default_factory=list)  # the partitioned records
    home: set[str] = field(default_factory=set)  # the records whose findings this partition gives
    shared: list[Piece] = field(default_factory=list)  # the shared records its records link to (`_needed`)
    context: list[Piece] = field(default_factory=list)  # others' records its groups read (`Piece.read_by`)
    projections: list[Piece] = field(default_factory=list)  # others' records as its home nodes read them
    stand_ins: list[Link] = field(default_factory=list)  # the summarised links to the nodes it holds or names
    periods: set[str] = field(default_factory=set)  # the period groups it holds (node and period, `_period_key`)
    elsewhere: set[str] = field(default_factory=set)  # the period groups of its home records that others hold


class _Groups:
    """Union-find over records and group nodes."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        root = item
        while self.parent.setdefault(root, root) != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def plan(pieces: list[Piece], size: int, links: Iterable[Link] = ()) -> tuple[list[Partition], list[Piece]]:
    """Partitions of at most `size` partitioned records (a group larger than that is one partition), and all the
    shared records (each partition holds those it needs), with the summarised links to what each holds or names."""
    described = {piece.record for piece in pieces}
    referenced = {ref for piece in pieces for ref in piece.references if ref != piece.record} & described
    shared_records = referenced | {piece.record for piece in pieces if piece.shared}
    groups = _Groups()
    for piece in pieces:
        groups.find(piece.record)
        for key in piece.keys:
            groups.join(piece.record, key)
    members: dict[str, dict[str, None]] = {}  # group -> its partitioned records, in the order they were read
    for piece in pieces:
        if piece.record not in shared_records:
            members.setdefault(groups.find(piece.record), {})[piece.record] = None
    partitions: list[Partition] = []
    where: dict[str, int] = {}
    for group, records in members.items():
        if not partitions or (partitions[-1].home and len(partitions[-1].home) + len(records) > size):
            partitions.append(Partition())
        partitions[-1].home.update(records)
        where[group] = len(partitions) - 1
    if not partitions:
        partitions.append(Partition())
    shared = [piece for piece in pieces if piece.record in shared_records]
    for piece in pieces:
        if piece.record not in shared_records:
            partitions[where[groups.find(piece.record)]].own.append(piece)
    home_of = _homes(partitions, shared_records, groups, where)
    for piece in pieces:
        if piece.record not in shared_records:
            _read_by_others(piece, partitions, home_of[piece.record],
                            (where.get(groups.find(key)) for key in piece.read_by if key in groups.parent))
    for piece in pieces:
        if piece.projected_to:
            _project(piece, partitions, home_of[piece.record],
                     (home_of.get(node, where.get(groups.find(node), 0)) for node in piece.projected_to))
    pieces_of: dict[str, list[tuple[int, Piece]]] = defaultdict(list)
    for index, piece in enumerate(shared):
        pieces_of[piece.record].append((index, piece))
    everywhere = [piece.record for piece in shared if piece.shared]
    for partition in partitions:
        partition.shared = _needed(partition, pieces_of, everywhere)
    _place_periods(pieces, partitions, [home_of[piece.record] for piece in pieces])
    _stand_in(partitions, links)
    return partitions, shared


def _stand_in(partitions: list[Partition], links: Iterable[Link]) -> None:
    """Give each partition the summarised links to the nodes it holds or names (once per distinct link)."""
    links_to: dict[str, list[Link]] = defaultdict(list)
    for link in sorted(set(links), key=repr):
        links_to[link[0]].append(link)
    if not links_to:
        return
    for partition in partitions:
        nodes = set(partition.home)
        for piece in [*partition.own, *partition.context, *partition.shared, *partition.projections]:
            nodes.add(piece.record)
            nodes.update(piece.references)
        partition.stand_ins = [link for node in sorted(nodes & links_to.keys()) for link in links_to[node]]


def _homes(partitions: list[Partition], shared_records: set[str], groups: _Groups, where: dict[str, int]) -> dict:
    """The home partition of every record. A shared record's is its group's partition; where its group holds no
    partitioned record (a unit and its periodicals, a meeting its minutes name), the partition of the first record
    that names one of the group's records, which holds it already, so that the first partition is not home to
    thousands of records it would otherwise not read (the first partition when none names them)."""
    home_of = {piece.record: index for index, partition in enumerate(partitions) for piece in partition.own}
    named_from: dict[str, int] = {}
    for index, partition in enumerate(partitions):
        for piece in partition.own:
            for reference in shared_records.intersection(piece.references):
                named_from.setdefault(groups.find(reference), index)
    for record in sorted(shared_records):
        group = groups.find(record)
        home_of[record] = index = where.get(group, named_from.get(group, 0))
        partitions[index].home.add(record)
    return home_of


def _read_by_others(piece: Piece, partitions: list[Partition], own: int, readers: Iterable[int | None]) -> None:
    for index in sorted({reader for reader in readers if reader is not None and reader != own}):
        partitions[index].context.append(piece)


def _project(piece: Piece, partitions: list[Partition], own: int, readers: Iterable[int]) -> None:
    """Give a record's projection to the home partitions of the nodes it is projected to, except the record's own
    home, which holds the whole record."""
    for index in sorted(set(readers) - {own}):
        partitions[index].projections.append(piece.projected())


def _place_periods(pieces: list[Piece], partitions: list[Partition], held_in: list[int]) -> None:
    """Tell each partition which period groups it holds, and which of its home records' period groups another
    partition holds (whose findings it must leave to that one)."""
    home_of = {record: index for index, partition in enumerate(partitions) for record in partition.home}
    for piece, index in zip(pieces, held_in, strict=True):
        for key in piece.keys:
            if " " in key:
                partitions[index].periods.add(key)
    for index, partition in enumerate(partitions):
        for key in partition.periods:
            home = home_of.get(_node_of(key))
            if home is not None and home != index:
                partitions[home].elsewhere.add(key)


def _needed(partition: Partition, pieces_of: dict[str, list[tuple[int, Piece]]], everywhere: list[str]
            ) -> list[Piece]:
    """The shared records a partition needs: those its records and its home records reference, what those
    reference in turn, and every record of a shared class (`everywhere`), in the order they were read
    (`pieces_of`: each shared record's pieces, with their place in that order). No rule reads a record it is not
    linked to, except the shared classes' (shapes/partitions.ttl); a partition without the rest reads the same and
    is smaller."""
    todo = [*everywhere, *(record for record in partition.home if record in pieces_of)]
    todo += [ref for piece in [*partition.own, *partition.context] for ref in piece.references]
    wanted: set[str] = set()
    while todo:
        record = todo.pop()
        if record in pieces_of and record not in wanted:
            wanted.add(record)
            todo.extend(ref for _, piece in pieces_of[record] for ref in piece.references)
    return [piece for _, piece in sorted((found for record in wanted for found in pieces_of[record]),
                                         key=lambda found: found[0])]


# --- Second pass: each partition validated ------------------------------------------------------------------------


@dataclass
class PartResult:
    findings: list[Finding]
    not_in_force: list[NotInForce]
    errors: list[InputError]
    phases: dict[str, float]


def _graph(pieces: Iterable[Piece], stand_ins: Iterable[Link] = ()) -> Graph:
    """The pieces read back from the spool into one graph (a store without named graphs: a partition has none, and
    rdflib's default store spends a third of its time keeping them), with a stand-in node for each summarised
    link: a blank node that links to the node and has the values kept, and is no record (no partition gives its
    findings)."""
    graph = bind_prefixes(Graph(store="SimpleMemory"))
    for node, link, values in stand_ins:
        stand_in = BNode()
        graph.add((stand_in, link, URIRef(node[1:-1])))
        graph.addN((stand_in, kept, value, graph) for kept, value in values)
    handles: dict[str, object] = {}
    try:
        for piece in pieces:
            handle = handles.get(piece.spool) or handles.setdefault(piece.spool, open(piece.spool, "rb"))  # noqa: SIM115
            handle.seek(piece.offset)
            graph.addN((s, p, o, graph) for s, p, o in pickle.loads(handle.read(piece.length)))
    finally:
        for handle in handles.values():
            handle.close()
    return graph


def _graphs_by_source(pieces: list[Piece]) -> dict[str, Graph]:
    by_source: dict[str, list[Piece]] = defaultdict(list)
    for piece in pieces:
        by_source[piece.source].append(piece)
    return {source: _graph(found) for source, found in by_source.items()}


def validate_partition(partition: Partition, choices: tuple[Choice, ...], engine: str) -> PartResult:
    """Validate the shared records and the partition's own together; keep the findings of the records at home.

    The records are one graph (not one per source, which `Batch.union` would copy again); each finding's file is
    then the file its record came from."""
    clock = _Clock()
    pieces = [*partition.shared, *partition.own, *partition.context, *partition.projections]
    data = clock("reading back", _graph, pieces, partition.stand_ins)
    batch = Batch(graphs={"partition": data})
    inferred = clock("inference", infer, data, choices)
    _, results = clock("checks", validate_graph, data, choices, engine, inferred=inferred)
    outcome = clock("findings", outcome_of, batch, data, inferred, results, choices)
    home = {_plain(record) for record in partition.home}
    source_of = {}
    for piece in pieces:
        source_of.setdefault(_plain(piece.record), piece.source)
    windows = grouping(choices).windows
    findings = [replace(f, source=source_of.get(f.record)) for f in outcome.findings
                if _given_here(f, partition, home, windows.get(f.shape))]
    return PartResult(findings, [n for n in outcome.not_in_force if n.record in home], outcome.errors, clock.phases)


def _given_here(finding: Finding, partition: Partition, home: set[str], window: Window | None) -> bool:
    """Whether this partition gives the finding: one on a record at home, or a period's finding of a shape grouped
    within periods where this partition holds that period's group (or it is home and no partition holds it)."""
    key = window.of_finding(finding) if window else None
    if key is None:
        return finding.record in home
    return key in partition.periods or (finding.record in home and key not in partition.elsewhere)


class _Clock:
    """Seconds spent per phase (summed over calls): what a benchmark prints, and where a slow run spends its time."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    def __call__(self, phase: str, function, *args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            self.phases[phase] = self.phases.get(phase, 0.0) + time.perf_counter() - started


def _plain(n3: str) -> str:
    """The record as a Finding names it (an IRI without brackets; a blank node by its label)."""
    return n3[1:-1] if n3.startswith("<") else n3[2:]


# --- The whole run ------------------------------------------------------------------------------------------------


@dataclass
class _Pass1:
    pieces: list[Piece] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    links: set[Link] = field(default_factory=set)

    def add(self, source: str, found: Cut) -> None:
        if found.pieces:
            self.sources.append(source)
            self.pieces.extend(_one_copy_of_names(piece) for piece in found.pieces)
        self.links |= found.links


def validate_in_partitions(paths: list[str] | None = None, stdin=None, choices: tuple[Choice, ...] | None = None,
                           engine: str = "fast", size: int = DEFAULT_SIZE, jobs: int | None = None,
                           progress: Progress | None = None, whole_progress=None,
                           graphs: Iterable[tuple[str, Graph]] | None = None) -> Outcome:
    """Validate the records of `paths` partition by partition, `jobs` processes at a time (1: in this process).

    The records come from files (`paths`, '-' for stdin) or, one source at a time, from `graphs` (a store's). A
    batch that fits in one partition is validated as `validate_batch` does, and its outcome holds the graphs (which
    the HTML report, the results as RDF and `--explain` need); otherwise only findings and counts, and
    `outcome.partitions` says how many."""
    choices = choices or readings.resolve()
    rules = grouping(choices)
    jobs = jobs or os.cpu_count() or 1
    _warm(choices)  # the compiled rules and checks, made once here and inherited by every worker
    clock = _Clock()
    with tempfile.TemporaryDirectory(prefix="kb-partitions-") as scratch, _Pool(jobs) as pool:
        small = graphs is None and _input_bytes(paths or [], SMALL_INPUT) <= SMALL_INPUT
        first = clock("reading (wall)", lambda: _first_pass(None if small else pool, paths or [], stdin, rules,
                                                            Path(scratch))
                      if graphs is None else _first_pass_of_graphs(graphs, rules, Path(scratch)))
        partitions, _ = clock("planning", plan, first.pieces, size, first.links)
        if len(partitions) == 1:  # the batch fits in one: the whole-batch run, with every output it allows
            batch = Batch(graphs=_graphs_by_source(first.pieces), errors=first.errors)
            return validate_batch(batch, choices, engine, progress=whole_progress)
        parts = clock("partitions (wall)", lambda: [_one_copy_of_texts(part) for part in _ordered(
            pool, validate_partition, ((p, choices, engine) for p in partitions), progress, len(partitions))])
    phases = clock.phases
    for part in parts:
        for phase, seconds in part.phases.items():
            phases[f"{phase} (summed)"] = phases.get(f"{phase} (summed)", 0.0) + seconds
    findings = sorted((f for part in parts for f in part.findings), key=finding_order)
    not_in_force = sorted((n for part in parts for n in part.not_in_force), key=lambda n: n.record)
    records = {_plain(piece.record) for piece in first.pieces if piece.typed and piece.record.startswith("<")}
    return Outcome(Batch(errors=first.errors), Graph(), Graph(), choices, findings, not_in_force,
                   sources=first.sources, records=records, partitions=len(partitions),
                   phases={phase: round(seconds, 2) for phase, seconds in phases.items()})


def _first_pass(pool, paths: list[str], stdin, rules: Grouping, scratch: Path) -> _Pass1:
    """Read and cut every source, in parallel, a few files in flight at a time; the CSV files last and together (a
    child row finds its parent in another file), in this process. Input errors come in the order `read` gives."""
    found = _Pass1()
    tables: list[tuple[str, bytes]] = []
    unread: list[InputError] = []  # files that could not be read, as `sources` finds them
    marks: list[int] = []  # how many of those came before each task

    def tasks() -> Iterator[tuple]:
        for source, text, suffix in sources(paths, stdin, unread):
            if suffix == CSV_SUFFIX:
                tables.append((source, text))
                continue
            marks.append(len(unread))
            yield source, text, suffix, scratch / f"{len(marks)}.spool", rules

    told = 0
    for index, (source, (records, errors)) in enumerate(_ordered(pool, cut_text, tasks(), label=lambda a: a[0])):
        found.errors.extend(unread[told:marks[index]])
        told = marks[index]
        found.errors.extend(errors)
        found.add(source, records)
    found.errors.extend(unread[told:])
    if tables:
        graphs, errors = parse_csv(tables)
        for source, graph in graphs.items():
            if len(graph):
                found.add(source, cut(graph, source, scratch / "tables.spool", rules))
        found.errors.extend(errors)
    return found


def _first_pass_of_graphs(graphs: Iterable[tuple[str, Graph]], rules: Grouping, scratch: Path) -> _Pass1:
    found = _Pass1()
    for source, graph in graphs:
        if len(graph):
            found.add(source, cut(graph, source, scratch / "store.spool", rules))
    return found


def _one_copy_of_names(piece: Piece) -> Piece:
    """A piece from a worker with its names (file, group nodes, references) shared with every other piece: each
    arrives as a copy of its own, and a large batch holds a piece per record."""
    return replace(piece, record=sys.intern(piece.record), source=sys.intern(piece.source),
                   spool=sys.intern(piece.spool), keys=_names(map(sys.intern, piece.keys)),
                   references=_names(map(sys.intern, piece.references)),
                   read_by=_names(map(sys.intern, piece.read_by)),
                   projected_to=_names(map(sys.intern, piece.projected_to)))


REPEATED_TEXTS = ("record", "focus", "shape", "provision", "notation", "clause_zh", "clause_en", "severity", "path",
                  "value", "limit", "situation_zh", "situation_en", "source", "justification", "original_severity",
                  "missing")


def _one_copy_of_texts(part: PartResult) -> PartResult:
    """A partition's findings with the texts many findings repeat (a provision's clause, a shape, a file) kept once
    for the whole batch: the findings of a large batch wait in this process for the report, and each arrives with
    copies of its own."""
    for finding in part.findings:
        for name in REPEATED_TEXTS:
            if isinstance(text := getattr(finding, name), str):
                setattr(finding, name, sys.intern(text))
        finding.readings = [sys.intern(text) for text in finding.readings]
    return part


class _Pool:
    """Processes started only when work is first sent to them: a small batch (one partition, a small first pass)
    runs in this process and pays no start-up."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.jobs, initializer=_leave_interrupts_to_the_parent)
        return self._executor

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc) -> None:
        if self._executor is None:
            return
        if kind is not None:  # Ctrl-C or an error: stop the workers now, not after the partitions they hold
            for process in list(getattr(self._executor, "_processes", {}).values()):
                process.terminate()
        self._executor.shutdown(wait=kind is None, cancel_futures=True)


def _leave_interrupts_to_the_parent() -> None:
    """In a worker: Ctrl-C (sent to the whole process group) is the parent's to handle, with one line and exit
    130; a worker would print its traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


SMALL_INPUT = 4_000_000  # bytes of record files read in this process: parsing them is quicker than starting workers


def _input_bytes(paths: list[str], limit: int) -> int:
    """The size of the record files named (stopping once past `limit`); stdin counts as large."""
    total = 0
    for arg in paths:
        if arg == "-":
            return limit + 1
        path = Path(arg)
        for file in (path.rglob("*") if path.is_dir() else [path]):
            with suppress(OSError):
                total += file.stat().st_size if file.is_file() else 0
            if total > limit:
                return total
    return total


def _ordered(pool, function, arguments: Iterable[tuple], progress: Progress | None = None, total: int = 0,
             label: Callable | None = None) -> Iterator:
    """`function` over each argument tuple, in order, with at most twice as many in flight as workers (so that a
    large input is never all in memory). With `label`, each answer comes as (label(arguments), answer)."""
    tag = label or (lambda args: None)
    if pool is None or pool.jobs == 1:
        for done, args in enumerate(arguments, start=1):
            answer = function(*args)
            if progress:
                progress(done, total)
            yield (tag(args), answer) if label else answer
        return
    queue = iter(arguments)
    order: list[tuple[Future, tuple]] = []  # submitted, in the order of `arguments`
    running: set[Future] = set()

    def submit(count: int) -> None:
        for args in _take(queue, count):
            future = pool.executor().submit(function, *args)
            order.append((future, args))
            running.add(future)

    submit(pool.jobs * 2)
    done = 0
    while order:
        # a long task at the head must not idle the other workers: more is sent as any task ends
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        running.difference_update(finished)
        for _ in finished:
            done += 1
            if progress:
                progress(done, total)
        submit(len(finished))
        while order and order[0][0].done():
            future, args = order.pop(0)
            yield (tag(args), future.result()) if label else future.result()


def _take(items: Iterator, count: int) -> list:
    return [item for _, item in zip(range(count), items, strict=False)]


def _warm(choices: tuple[Choice, ...]) -> None:
    """Make here, once, what every worker reads: the compiled rules and checks (a forked worker inherits them)."""
    compiled_rules(choices)
    compiled_shapes(choices)
