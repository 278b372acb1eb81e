"""The validation pipeline: read records, infer into a separate graph, validate with pySHACL, explain.

    records ──► load ──► infer (owlrl + derived facts, own graph) ──► pySHACL ──► findings
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import Graph

from kb import resources
from kb.calendar import days_for
from kb.findings import Finding, findings_from
from kb.infer import infer
from kb.load import Batch, InputError, read
from kb.namespaces import DXS


@dataclass
class Outcome:
    """Everything one validation run produced."""

    batch: Batch
    inferred: Graph
    results: Graph
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[InputError]:
        return self.batch.errors


def shape_parameters() -> Graph:
    """The shapes' own dxs: settings (limits, classes), which the shared SPARQL constraints read."""
    shapes = resources.shapes()
    params = set(shapes.objects(None, DXS.parameter))
    found = Graph()
    for param in params:
        for triple in shapes.triples((None, param, None)):
            found.add(triple)
    return found


def validate_graph(data: Graph) -> tuple[Graph, Graph]:
    """Validate `data` (not changed) and return the inferred graph and pySHACL's results graph."""
    inferred = infer(data)
    view = Graph()
    view += data
    view += inferred
    view += shape_parameters()
    view += days_for(view)
    _, results, _ = pyshacl.validate(
        view,
        shacl_graph=resources.shapes(),
        inference="none",
        advanced=True,
        allow_warnings=False,
        abort_on_first=False,
    )
    if not isinstance(results, Graph):  # pySHACL returns a ValidationFailure for a broken shape
        raise RuntimeError(f"the shapes could not be run: {results}")
    return inferred, results


def validate_paths(paths: list[str], stdin=None) -> Outcome:
    """Validate every readable record of `paths` together, so records can refer to each other."""
    batch = read(paths, stdin=stdin)
    data = batch.union()
    inferred, results = validate_graph(data)
    outcome = Outcome(batch, inferred, results)
    outcome.findings = findings_from(results, data, inferred, batch)
    return outcome
