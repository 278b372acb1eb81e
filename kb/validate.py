"""The validation pipeline: read records, infer into a separate graph, validate with pySHACL, explain.

    records ──► load ──► infer (owlrl + derived facts, own graph) ──► pySHACL ──► findings
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
from rdflib import Graph

from kb import profiles
from kb.calendar import days_for
from kb.findings import Finding, findings_from
from kb.infer import infer
from kb.load import Batch, InputError, read
from kb.namespaces import DXS
from kb.profiles import Choice


@dataclass
class Outcome:
    """Everything one validation run produced."""

    batch: Batch
    inferred: Graph
    results: Graph
    choices: tuple[Choice, ...] = ()
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[InputError]:
        return self.batch.errors


def shape_parameters(shapes: Graph) -> Graph:
    """The shapes' own dxs: settings (limits, classes), which the shared SPARQL constraints read."""
    params = set(shapes.objects(None, DXS.parameter))
    found = Graph()
    for param in params:
        for triple in shapes.triples((None, param, None)):
            found.add(triple)
    return found


def validate_graph(data: Graph, choices: tuple[Choice, ...] | None = None) -> tuple[Graph, Graph]:
    """Validate `data` (not changed) under the chosen readings; return the inferred graph and pySHACL's results."""
    choices = choices or profiles.resolve()
    shapes = profiles.shapes(choices)
    inferred = infer(data, choices)
    view = Graph()
    view += data
    view += inferred
    view += shape_parameters(shapes)
    view += days_for(view)
    _, results, _ = pyshacl.validate(
        view,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
        abort_on_first=False,
    )
    if not isinstance(results, Graph):  # pySHACL returns a ValidationFailure for a broken shape
        raise RuntimeError(f"the shapes could not be run: {results}")
    return inferred, results


def validate_paths(paths: list[str], stdin=None, choices: tuple[Choice, ...] | None = None) -> Outcome:
    """Validate every readable record of `paths` together, so records can refer to each other."""
    choices = choices or profiles.resolve()
    batch = read(paths, stdin=stdin)
    data = batch.union()
    inferred, results = validate_graph(data, choices)
    outcome = Outcome(batch, inferred, results, choices)
    outcome.findings = findings_from(results, data, inferred, batch, choices)
    return outcome
