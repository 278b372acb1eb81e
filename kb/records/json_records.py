"""JSON records into RDF: split a document into records, check each against the bundled context, and read the good
ones with JSON-LD, by the context compiled (`kb.records.jsonld`; the CSV tables take the same path,
`records_graph`)."""

from __future__ import annotations

import json
import re
import sys
from functools import cache

from rdflib import Graph

from kb import resources
from kb.namespaces import bind_prefixes
from kb.records.batch import InputError
from kb.records.fields import (
    MAX_DEPTH,
    SURROGATE,
    check_record,
    deeper_than,
    record_body,
    shown,
    surrogate_at,
    with_context,
    with_none_recorded,
    without_nulls,
)
from kb.records.jsonld import ContextReader, NotCompiled
from kb.records.triples import drop_bad_records


@cache
def _reader() -> ContextReader:
    return ContextReader(resources.context())


def parse_json(text: str, source: str) -> tuple[Graph | None, list[InputError]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [InputError(source, f"JSON syntax error: {exc.msg}", line=exc.lineno)]
    except RecursionError:
        return None, [InputError(source, "nesting too deep to parse")]
    except ValueError:  # a number of more digits than Python converts to an int (4,300): no field holds one
        limit = sys.get_int_max_str_digits()
        digits = re.search(rf"\d{{{limit + 1},}}", text)
        return None, [InputError(source, f"a number of more than {limit:,} digits; no field holds one",
                                 line=text.count("\n", 0, digits.start()) + 1 if digits else None)]
    records, pointer, errors = _records(document, source)
    graph, more = records_graph(records, source, lambda index: f"{pointer}/{index}" if pointer is not None else "")
    return graph, errors + more


def records_graph(records: list[dict], source: str, pointer_of, line_of=lambda index: None
                  ) -> tuple[Graph, list[InputError]]:
    """The JSON path, for JSON files and CSV rows alike: check each plain record against the bundled context, turn
    the good ones into RDF with it, then drop any record with an ill-typed literal or an unknown concept."""
    errors: list[InputError] = []
    graph = bind_prefixes(Graph())
    good: list[int] = []
    deep = {index for index, record in enumerate(records) if deeper_than(record, MAX_DEPTH)}
    records = [record if index in deep else without_nulls(record) for index, record in enumerate(records)]
    for index, record in enumerate(records):
        if index in deep:
            errors.append(InputError(source, f"objects and lists nested more than {MAX_DEPTH} levels deep; a record "
                                             "needs fewer than 10",
                                     line=line_of(index), field=pointer_of(index) or "/"))
            continue
        if (at := surrogate_at(record)) is not None:
            errors.append(InputError(source, SURROGATE, line=line_of(index), field=pointer_of(index) + at or "/"))
            continue
        problems = list(check_record(record, pointer_of(index)))
        if problems:
            errors.extend(InputError(source, message, line=line_of(index), field=fld or "/")
                          for fld, message in problems)
        else:
            good.append(index)
    try:  # one document for all the good records: the context is processed once, not once per record
        for index in good:
            records[index] = with_none_recorded(records[index])
        bodies = [record_body(records[index]) for index in good]
        try:
            _reader().read(bodies, graph)
        except NotCompiled:  # a form only rdflib's JSON-LD parser reads
            graph.parse(data=json.dumps(with_context({"@graph": bodies})), format="json-ld")
    except (RecursionError, Exception):
        graph = bind_prefixes(Graph())
        for index in good:  # find the record at fault, keep the others
            where, line = pointer_of(index), line_of(index)
            try:
                graph += Graph().parse(data=json.dumps(with_context(records[index])), format="json-ld")
            except RecursionError:
                errors.append(InputError(source, "nesting too deep to parse", line=line, field=where or "/"))
            except Exception as exc:
                errors.append(InputError(source, f"not valid JSON-LD: {exc}", line=line, field=where or "/"))
    return graph, errors + drop_bad_records(graph, source)


def _records(document, source: str) -> tuple[list[dict], str | None, list[InputError]]:
    """Split a JSON document into records: an object, an array of objects, or {"@graph": [...]}."""
    errors: list[InputError] = []
    context = document.get("@context") if isinstance(document, dict) else None
    if context is not None and context != resources.CONTEXT_IRI:
        return [], None, [InputError(source, "only our own @context is accepted (omit it, or use "
                                             f"{resources.CONTEXT_IRI!r}); remote and inline contexts are "
                                             "refused", field="/@context")]
    if isinstance(document, dict) and "@graph" in document:
        document, pointer = document["@graph"], "/@graph"
        if isinstance(document, dict):
            document = [document]
        elif not isinstance(document, list):
            return [], None, [InputError(source, "expected an array of records (JSON objects) in @graph, got "
                                                 f"{'null' if document is None else shown(document)}",
                                         field="/@graph")]
    elif isinstance(document, list):
        pointer = ""
    else:
        return ([document] if isinstance(document, dict) else []), None, (
            [] if isinstance(document, dict)
            else [InputError(source, "expected a JSON object or an array of objects")])
    records = []
    for index, item in enumerate(document):
        if isinstance(item, dict):
            records.append(item)
        else:
            errors.append(InputError(source, "expected a JSON object (a record)", field=f"{pointer}/{index}"))
    return records, pointer, errors

