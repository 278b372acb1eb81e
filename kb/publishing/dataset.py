"""The published dataset: the knowledge base as named graphs in one Oxigraph store, for `kb serve` and `kb export`.

Each part keeps its own graph, so a consumer can take the rules without the records, or tell an asserted fact
from an inferred one:

    graph/regulation    the act, its divisions and provisions (ELI)
    graph/ontology      the OWL 2 RL ontology
    graph/vocabularies  the SKOS concept schemes
    graph/shapes        the SHACL shapes, under the chosen readings
    graph/settings      the interpretation settings, their alternatives and profiles (descriptions only)
    graph/calendar      the working-day calendar
    graph/records       the event records given (when any)
    graph/inferred      what inference added about them (situation classes, derived facts, record parts)
    graph/results       the validation run and its findings

Queries see the union of the graphs as their default graph, as `kb query` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kb import resources
from kb.namespaces import KBG
from kb.reasoning import readings
from kb.reasoning.calendar import calendar
from kb.reasoning.readings import Choice
from kb.records.batch import InputError

GRAPHS = {name: KBG[name] for name in ("regulation", "ontology", "vocabularies", "shapes", "settings", "calendar",
                                       "records", "inferred", "results")}


@dataclass
class Published:
    """The dataset's store, how many triples each graph holds, and the input errors met reading the records."""

    store: ox.Store
    sizes: dict[str, int] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    choices: tuple[Choice, ...] = ()


def knowledge_parts(choices: tuple[Choice, ...]) -> dict[str, Graph]:
    """The graphs that do not depend on any record."""
    return {
        "regulation": resources.regulation(),
        "ontology": resources.ontology(),
        "vocabularies": resources.vocabularies(),
        "shapes": readings.shapes(choices),
        "settings": readings.dataset().default_graph,
        "calendar": calendar(),
    }


def record_parts(outcome) -> dict[str, Graph]:
    """The records of a validation outcome, what was inferred about them and the run's results."""
    from kb.asking.rules import parts
    from kb.checking.results import results_graph

    data = outcome.batch.union()
    return {"records": data, "inferred": outcome.inferred + parts(data), "results": results_graph(outcome)}


def build(outcome=None, choices: tuple[Choice, ...] | None = None, location: str | Path | None = None) -> Published:
    """The dataset in a new store (in memory, or in the empty folder `location`), records from `outcome` if given."""
    choices = choices if choices is not None else (outcome.choices if outcome is not None else readings.resolve())
    parts = knowledge_parts(choices)
    if outcome is not None:
        parts |= record_parts(outcome)
    store = ox.Store(str(location)) if location is not None else ox.Store()
    store.bulk_load(_as_nquads(parts), ox.RdfFormat.N_QUADS)  # one document: Oxigraph renames blank nodes per load
    sizes = {name: count for name in parts
             if (count := sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[name])))))}
    store.flush()
    return Published(store, sizes, list(outcome.errors) if outcome is not None else [], choices)


def _as_nquads(parts: dict[str, Graph]) -> bytes:
    """All parts as one N-Quads document, so a blank node shared by two graphs (a record's speech, and what was
    inferred or found about it) stays one node."""
    lines = []
    for name, graph in parts.items():
        suffix = f" <{GRAPHS[name]}> .".encode()
        for line in graph.serialize(format="nt", encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line.rstrip().removesuffix(b" .") + suffix)
    return b"\n".join(lines) + b"\n"
