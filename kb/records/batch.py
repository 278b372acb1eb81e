"""What reading records gives: a graph per source, and an `InputError` for everything that could not be loaded."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph

from kb.namespaces import bind_prefixes

CSV_SUFFIX = ".csv"


@dataclass(frozen=True)
class InputError:
    """Something in the input that could not be loaded, and where."""

    source: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        if self.line and self.source.lower().endswith(CSV_SUFFIX):  # a spreadsheet row, not a text line
            return f"{self.source}: row {self.line}" + (f", column {self.field}" if self.field else "") + \
                f": {self.message}"
        where = self.source + (f":{self.line}" if self.line else "") + (f" {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class Batch:
    """What one run read: a graph per source, and the errors met on the way."""

    graphs: dict[str, Graph] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)

    def union(self) -> Graph:
        merged = bind_prefixes(Graph())
        for graph in self.graphs.values():
            merged += graph
        return merged

    def source_of(self, node) -> str | None:
        """The source that describes a node, for reports."""
        for source, graph in self.graphs.items():
            if (node, None, None) in graph:
                return source
        return None
