"""Read event records from files, folders or stdin into RDF, one graph per source, and say what is wrong.

A file that cannot be read, or a record in it that does not fit, becomes an `InputError` naming the file, the
line or field and what was expected; every other file and record still loads. Each source is parsed into a
fresh graph and kept only when it parsed (rdflib leaves partial triples behind on a failed parse).

CSV files (one table per record kind, see `kb/records/mappings/` and docs/records.md) are read together at the end of a
`read()` call: each row becomes a plain JSON record, or a child object (a speech, a participant ...) attached to
its parent record in any CSV file of the call, and the records then take exactly the JSON path below.
"""

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax

from kb.namespaces import bind_prefixes
from kb.records.batch import CSV_SUFFIX, Batch, InputError
from kb.records.json_records import parse_json
from kb.records.tables import parse_csv
from kb.records.triples import drop_bad_records

RDF_FORMATS = {".ttl": "turtle", ".nt": "nt", ".json": "json", ".jsonld": "json"}
READ_SUFFIXES = (*RDF_FORMATS, CSV_SUFFIX)
REFUSED_FORMATS = {".rdf", ".xml", ".owl"}
SPREADSHEETS = {".xlsx", ".xls", ".xlsm", ".ods", ".et"}


def read(paths: Iterable[str], stdin=None) -> Batch:
    """Read every path ('-' is stdin; folders are walked for .ttl, .nt, .json, .jsonld and .csv files).

    CSV files are read last, all together, so that a child table (speeches, participants ...) finds its parent
    records in another CSV file of the same call."""
    batch = Batch()
    for source, graph, errors in read_each(paths, stdin):
        batch.errors.extend(errors)
        if graph is not None:
            batch.graphs[source] = graph
    return batch


def read_each(paths: Iterable[str], stdin=None) -> Iterator[tuple[str, Graph | None, list[InputError]]]:
    """What `read` reads, one source at a time (source, its graph or None, its errors), so that a large batch never
    needs all its graphs at once; the CSV files come last, together."""
    tables: list[tuple[str, bytes]] = []
    errors: list[InputError] = []
    for source, text, suffix in sources(paths, stdin, errors):
        if errors:
            yield errors[0].source, None, list(errors)
            errors.clear()
        if suffix == CSV_SUFFIX:
            tables.append((source, text))
            continue
        graph, problems = parse_text(text, suffix, source)
        yield source, graph if graph is not None and len(graph) else None, problems
    if errors:
        yield errors[0].source, None, list(errors)
    if tables:
        graphs, problems = parse_csv(tables)
        kept = {source: graph for source, graph in graphs.items() if len(graph)}
        yield from ((source, graph, []) for source, graph in kept.items())
        if problems:
            yield problems[0].source, None, problems


def sources(paths, stdin, errors: list[InputError]) -> Iterator[tuple[str, str | bytes, str]]:
    """(source, text, suffix) for each file; a CSV file comes as bytes (its encoding is checked with it).
    A file named twice (directly, or inside a folder also named) is read once."""
    seen: set[Path] = set()
    for arg in paths:
        if arg == "-":
            text = (stdin or sys.stdin).read()
            yield "<stdin>", text, ".json" if text.lstrip()[:1] in "{[" else ".ttl"
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in READ_SUFFIXES
                           and not (p.name.startswith("~$") and _suffix(p) == CSV_SUFFIX))  # Excel's lock files
            if not files:
                errors.append(InputError(str(path), "folder holds no .ttl, .nt, .json, .jsonld or .csv file"))
        elif path.is_file():
            files = [path]
        else:
            errors.append(InputError(str(path), "no such file or folder"))
            continue
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            if _suffix(file) == CSV_SUFFIX:
                try:
                    yield str(file), file.read_bytes(), CSV_SUFFIX
                except OSError as exc:
                    errors.append(InputError(str(file), f"cannot read the file: {exc}"))
            elif _suffix(file) in SPREADSHEETS:
                errors.append(InputError(str(file), "spreadsheet workbooks are not read: save each sheet as "
                                                    "\"CSV UTF-8\" and name it <name>.<kind>.csv, e.g. "
                                                    "2024.meetings.csv (see docs/records.md)"))
            elif file.suffix in REFUSED_FORMATS:
                errors.append(InputError(str(file), "RDF/XML is not accepted for records (DTDs and entities "
                                                    "make it unsafe); send Turtle, N-Triples or JSON"))
            elif file.suffix not in RDF_FORMATS:
                errors.append(InputError(str(file), f"unknown file type {file.suffix!r}; expected one of "
                                                    + ", ".join(sorted(READ_SUFFIXES))))
            else:
                try:
                    data = file.read_bytes()
                except OSError as exc:
                    errors.append(InputError(str(file), f"cannot read the file: {exc}"))
                    continue
                text = _decoded(data, str(file), errors)
                if text is not None:
                    yield str(file), text, file.suffix


def _decoded(data: bytes, source: str, errors: list[InputError]) -> str | None:
    """The file's text as UTF-8, a byte order mark dropped (editors on Windows write one); an undecodable byte is
    an error naming its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        errors.append(InputError(source, f"column {column}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file "
                                         "as UTF-8", line=line))
        return None


def _suffix(path: Path) -> str:
    """The suffix, lower-cased for CSV files and workbooks (Windows users write MEETINGS.CSV)."""
    lowered = path.suffix.lower()
    return lowered if lowered == CSV_SUFFIX or lowered in SPREADSHEETS else path.suffix


def parse_text(text: str, suffix: str, source: str) -> tuple[Graph | None, list[InputError]]:
    """Parse one source; on a syntax error return no graph and an error with the line."""
    fmt = RDF_FORMATS[suffix]
    if fmt == "json":
        return parse_json(text, source)
    graph = bind_prefixes(Graph())
    try:
        graph.parse(data=text, format=fmt)
    except BadSyntax as exc:
        return None, [InputError(source, f"Turtle syntax error: {exc._why}", line=exc.lines + 1)]
    except ParserError as exc:
        return None, [InputError(source, f"N-Triples syntax error: {exc}", line=_bad_ntriples_line(text))]
    except RecursionError:
        return None, [InputError(source, "nesting too deep to parse")]
    except Exception as exc:  # rdflib raises many kinds for malformed input
        return None, [InputError(source, f"cannot parse as {fmt}: {exc}")]
    return graph, drop_bad_records(graph, source, text)



def _bad_ntriples_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                Graph().parse(data=line, format="nt")
            except Exception:
                return number
    return None
