"""CSV tables into JSON records: each row of a record table becomes a record, each row of a child table (speeches,
participants ...) an object of its parent record in any file read together; the records then take the JSON path."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from rdflib import Graph

from kb import resources
from kb.records.batch import CSV_SUFFIX, InputError
from kb.records.fields import check_record, context_terms
from kb.records.json_records import records_graph

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"


# --- CSV records ---------------------------------------------------------------------------------------------
#
# A mapping (kb/records/mappings/<kind>.json) names the record type a table makes and, per column, the JSON field it
# fills ("venue.kind": a nested object; "posts[].role": a list of objects, one value per object by position), whether a
# cell holds a list ("list": true, values separated by ';') and, for a child table, the column naming the parent
# record and the parent's list field the row is appended to. How a cell is typed (number, boolean, text) comes
# from the context, never from the mapping, so each check stays in one place.

LIST_SEPARATOR = ";"
NONE_CELLS = {"none", "无"}  # a cell recording that there is no value (an empty list in JSON); an empty cell is unknown
_NAME_SEPARATORS = re.compile(r"[;；]")  # ids and vocabulary names never hold a semicolon, full-width or not
_BOOLEANS = {"true": True, "false": False, "是": True, "否": False, "1": True, "0": False}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_CSV_EXPECTED = {
    "xsd:boolean": "true/false, 是/否 or 1/0",
    "xsd:integer": "a whole number, e.g. 12",
    "xsd:decimal": "a number, e.g. 12 or 12.5",
}


class MappingError(ValueError):
    """A file of kb/records/mappings/ that does not fit the bundled context: a fault of the knowledge base, not the
    input."""


@dataclass(frozen=True)
class Column:
    """One CSV column: where its cells go in the JSON record, how they are split, and the context's type."""

    name: str
    path: tuple[str, ...]  # ("venue", "kind"); a list of objects filled by position: ("posts[]", "role")
    many: bool  # a list of values separated by ';'
    zipped: bool  # one value per object of a list of objects, by position
    datatype: str | None  # the context's @type: "@id", "@vocab", "xsd:boolean" ... (None: text)
    required: bool = False
    absent_under: tuple[str, ...] = ()  # a child table's parent fields whose objects have no such field (a meeting's
    # meals have no dishes): a value there is refused


@dataclass
class Mapping:
    """How one kind of CSV table (meetings, speeches, people ...) becomes JSON records or child objects."""

    kind: str
    type: str | None
    columns: dict[str, Column]
    parent_column: str | None = None
    parent_fields: dict[str, str] = field(default_factory=dict)  # parent kind -> the parent's list field
    spec: dict = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return ([self.parent_column] if self.parent_column else []) + list(self.columns)

    @property
    def required(self) -> list[str]:
        return ([self.parent_column] if self.parent_column else []) + [c.name for c in self.columns.values()
                                                                        if c.required]


@cache
def mappings() -> dict[str, Mapping]:
    """The CSV mappings of kb/records/mappings/, each checked against the bundled context (read once per process)."""
    found = {}
    for path in sorted(MAPPINGS_DIR.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if f"{spec.get('kind')}.json" != path.name:
            raise MappingError(f"{path.name}: its \"kind\" must be the file name, {path.stem!r}")
        found[spec["kind"]] = _mapping(spec)
    for mapping in found.values():
        for kind in mapping.parent_fields:
            if kind not in found or found[kind].parent_column:
                raise MappingError(f"{mapping.kind}.json: parent kind {kind!r} is not a table of records")
    return found


def _mapping(spec: dict) -> Mapping:
    kind, parent = spec["kind"], spec.get("parent")
    if parent:
        named = parent["field"]
        fields = dict(named) if isinstance(named, dict) else {k: named for k in parent["kinds"]}
        prefixes: list[tuple[str, ...]] = [(f,) for f in sorted(set(fields.values()))]
    elif spec.get("type") in context_terms(resources.context()):
        fields, prefixes = {}, [()]
    else:
        raise MappingError(f"{kind}.json: a table of records needs a \"type\" of the context, got {spec.get('type')!r}")
    columns: dict[str, Column] = {}
    for name, column in spec["columns"].items():
        steps = tuple(column.get("field", name).split("."))
        zipped, many = steps[0].endswith("[]"), bool(column.get("list"))
        if (zipped and (many or len(steps) != 2)) or any(s.endswith("[]") for s in steps[1:]):
            raise MappingError(f"{kind}.json: column {name!r}: a list of objects is written \"field[].name\", "
                               "one value per object (no nested lists)")
        plain = (steps[0][:-2], *steps[1:]) if zipped else steps
        types, absent, first_error = set(), [], None
        for prefix in prefixes:  # a child's field may exist under some of its parents' fields only (dishes)
            try:
                types.add(_datatype((*prefix, *plain), kind, name))
            except MappingError as exc:
                absent.append(prefix[0] if prefix else "")
                first_error = first_error or exc
        if not types:
            raise first_error
        if len(types) != 1:
            raise MappingError(f"{kind}.json: column {name!r} has different types under its parents' fields")
        columns[name] = Column(name, steps, many, zipped, types.pop(), bool(column.get("required")), tuple(absent))
    paths = [(c.path[0].removesuffix("[]"), *c.path[1:]) for c in columns.values()]
    for path in paths:
        if any(other != path and other[:len(path)] == path for other in paths):
            raise MappingError(f"{kind}.json: field {'.'.join(path)!r} is both a value and an object")
    if parent and (parent["column"] in columns or not fields):
        raise MappingError(f"{kind}.json: the parent column must be its own column and name parent kinds")
    return Mapping(kind, spec.get("type"), columns, parent["column"] if parent else None, fields, spec)


def _datatype(steps: tuple[str, ...], kind: str, column: str) -> str | None:
    """The context's @type of a field reached through nested objects, as check_record scopes the terms."""
    terms, definition = context_terms(resources.context()), None
    for step in steps:
        definition = terms.get(step)
        if definition is None:
            raise MappingError(f"{kind}.json: column {column!r}: field {'.'.join(steps)!r} is not in the context")
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            terms = {**terms, **context_terms(definition["@context"])}
    return definition.get("@type") if isinstance(definition, dict) else None


@dataclass
class _Table:
    source: str
    mapping: Mapping
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), the header being row 1


@dataclass
class _Record:
    source: str
    line: int
    kind: str
    record: dict


def parse_csv(tables: list[tuple[str, bytes]]) -> tuple[dict[str, Graph], list[InputError]]:
    """Read CSV files together: rows of record tables become JSON records, rows of child tables are attached to
    their parent records (in any of the files), then every record takes the JSON path (`records_graph`).

    Errors name the file, the row (the header is row 1) and the column; a bad row is dropped, a child row of a
    dropped parent row goes with it, and every other row loads. A header with an unknown column refuses its file."""
    errors: list[InputError] = []
    tables_read: list[_Table] = []
    dropped: set[str] = set()  # ids of record rows not loaded, so that their children go quietly
    for source, data in tables:
        table, problems = _read_table(source, data)
        errors.extend(problems)
        if table is None:
            continue
        if problems:
            dropped.update(_ids(table))
        else:
            tables_read.append(table)
    records: dict[str, _Record] = {}
    seen: dict[str, tuple[str, int]] = {}
    for table in (t for t in tables_read if t.mapping.parent_column is None):
        errors.extend(_record_rows(table, records, seen, dropped))
    for table in (t for t in tables_read if t.mapping.parent_column is not None):
        errors.extend(_child_rows(table, records, dropped))
    graphs: dict[str, Graph] = {}
    for source in dict.fromkeys(r.source for r in records.values()):
        rows = [r for r in records.values() if r.source == source]
        graph, problems = records_graph([r.record for r in rows], source, lambda index: "",
                                        lambda index, rows=rows: rows[index].line)
        lines = {_iri(r.record["id"]): r.line for r in rows}
        errors.extend(_with_row(e, lines) for e in problems)
        graphs[source] = graph
    return graphs, errors


def _read_table(source: str, data: bytes) -> tuple[_Table | None, list[InputError]]:
    """Decode and split one file, and choose its mapping; (None, errors) when the file cannot be read at all."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [InputError(source, "the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 "
                                         "(Comma delimited)\" / \"CSV UTF-8(逗号分隔)\"")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [InputError(source, f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} at offset "
                                         f"{exc.start}; GBK/ANSI, as Excel's plain \"CSV\" writes, is not read): "
                                         "save it as \"CSV UTF-8 (Comma delimited)\" / \"CSV UTF-8(逗号分隔)\"")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as exc:
        return None, [InputError(source, f"not readable as CSV (near text line {reader.line_num}): {exc}")]
    if not lines or not any(cell.strip() for cell in lines[0]):
        return None, [InputError(source, "no header row: the first row of a CSV file names its columns "
                                         "(see docs/records.md)", line=1)]
    header = [cell.strip().lstrip("\ufeff").strip() for cell in lines[0]]
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    mapping, problem = _choose_mapping(source, header)
    if mapping is None:
        return None, [problem]
    errors = [InputError(source, f"unknown column {name!r}; the columns of {mapping.kind} are: "
                                 + ", ".join(mapping.header), line=1, field=name)
              for name in header if name and name not in mapping.header]
    errors += [InputError(source, f"column {name!r} appears more than once in the header", line=1, field=name)
               for name in sorted({n for n in header if n and header.count(n) > 1})]
    errors += [InputError(source, f"missing column {name!r}: every {mapping.kind} row needs it", line=1, field=name)
               for name in mapping.required if name not in header]
    return _Table(source, mapping, header, rows), errors


def _choose_mapping(source: str, header: list[str]) -> tuple[Mapping | None, InputError | None]:
    """By the file name, <anything>.<kind>.csv; else by the header, if it fits the columns of exactly one kind."""
    known = mappings()
    stem = Path(source).name[:-len(CSV_SUFFIX)]
    named = stem.rsplit(".", 1)[-1]
    if named in known:
        return known[named], None
    given = {name for name in header if name}
    fits = [m for m in known.values() if given <= set(m.header) and set(m.required) <= given]
    if len(fits) == 1:
        return fits[0], None
    why = ("its header fits " + " and ".join(m.kind for m in fits) + " alike" if fits
           else "its header fits the columns of no kind")
    hint = f" ({named!r} in the file name is not a kind)" if "." in stem else ""
    kinds = "; ".join(f"{m.kind} ({', '.join(m.required)})" for m in known.values())
    return None, InputError(source, f"cannot tell which records this CSV file holds{hint}: {why}. Name it "
                                    f"<name>.<kind>.csv (e.g. 2024.meetings.csv), or use the columns of one kind. "
                                    f"Kinds, with their required columns: {kinds}", line=1)


def _ids(table: _Table) -> set[str]:
    """The ids of a refused record table's rows (its children are then dropped without an error each)."""
    if table.mapping.parent_column or "id" not in table.header:
        return set()
    at = table.header.index("id")
    return {_iri(cells[at]) for _, cells in table.rows if at < len(cells) and cells[at].strip()}


def _record_rows(table: _Table, records: dict[str, _Record], seen: dict[str, tuple[str, int]],
                 dropped: set[str]) -> list[InputError]:
    errors, mapping = [], table.mapping
    for line, cells in table.rows:
        body, where, problems = _row_object(mapping, table.header, cells)
        ident = body.pop("id", None)
        record = {**({"id": ident} if ident is not None else {}), "type": mapping.type, **body}
        problems += [(_column_at(where, pointer) or ("id" if pointer == "/id" else None), message)
                     for pointer, message in check_record(record)]  # a cell that could not be read is left out
        key = _iri(ident) if isinstance(ident, str) else None
        if not problems and key in seen:
            first_source, first_line = seen[key]
            problems = [("id", f"duplicate id {ident!r}: already the id of row {first_line} of {first_source} "
                               "(one row per record; its speeches, participants ... go in their own tables)")]
        if problems:
            errors.extend(InputError(table.source, message, line=line, field=column) for column, message in problems)
            if key is not None and key not in seen:
                dropped.add(key)
            continue
        seen[key] = (table.source, line)
        records[key] = _Record(table.source, line, mapping.kind, record)
    return errors


def _child_rows(table: _Table, records: dict[str, _Record], dropped: set[str]) -> list[InputError]:
    errors, mapping = [], table.mapping
    at, named = table.header.index(mapping.parent_column), mapping.parent_column
    kinds = " or ".join(dict.fromkeys(mapping.parent_fields))
    for line, cells in table.rows:
        child, where, problems = _row_object(mapping, table.header, cells)
        ident = cells[at].strip() if at < len(cells) else ""
        parent = records.get(_iri(ident)) if ident else None
        if not ident:
            problems.append((named, f"missing {named}: each {mapping.kind} row names the {kinds} record it "
                                    "belongs to"))
        elif parent is None and _iri(ident) in dropped:
            continue  # its parent row was refused, with an error of its own
        elif parent is None:
            problems.append((named, f"no {kinds} record with id {ident!r} in the CSV files read together"))
        elif parent.kind not in mapping.parent_fields:
            problems.append((named, f"{ident!r} is a {parent.kind} record (row {parent.line} of {parent.source}); "
                                    f"{mapping.kind} rows belong to {kinds} records"))
        target = mapping.parent_fields.get(parent.kind if parent else "", next(iter(mapping.parent_fields.values())))
        fits = parent is not None and parent.kind in mapping.parent_fields
        for column in [c for c in mapping.columns.values() if fits and target in c.absent_under
                       and _cell(table.header, cells, c.name)]:
            field_name = column.path[0].removesuffix("[]")
            owners = " or ".join(k for k, f in mapping.parent_fields.items() if f not in column.absent_under)
            problems.append((column.name, f"the {target} of a {parent.kind} record have no {field_name}: column "
                                          f"{column.name} is for {owners} records only; leave it empty"))
            child.pop(field_name, None)  # said once, not again as an unknown field
        prefix = f"/{target}/0"
        problems += [(_column_at(where, pointer[len(prefix):]) if pointer.startswith(prefix) else None, message)
                     for pointer, message in check_record({"id": ident or "?", target: [child]})]
        if problems:
            errors.extend(InputError(table.source, message, line=line, field=column) for column, message in problems)
            continue
        existing = parent.record.get(target)
        parent.record[target] = ([] if existing is None else existing if isinstance(existing, list)
                                 else [existing]) + [child]
    return errors


def _cell(header: list[str], cells: list[str], name: str) -> str:
    """The text of a row's cell in the named column ('' when the row has none)."""
    at = header.index(name) if name in header else len(cells)
    return cells[at].strip() if at < len(cells) else ""


def _row_object(mapping: Mapping, header: list[str], cells: list[str]
                ) -> tuple[dict, dict[str, str], list[tuple[str | None, str]]]:
    """One row as a plain JSON object (the parent column left out), where each value came from (JSON pointer ->
    column), and the cells that could not be read. Empty cells are not given. A cell `none` records that there is
    none: its field as an empty list, or, in a column filled by position, its list of objects as an empty list."""
    body: dict = {}
    names: dict = {}  # the same shape as body, with column names for values
    problems: list[tuple[str | None, str]] = []
    emptied: dict[str, tuple[str, str]] = {}  # a list of objects a cell says is empty -> (the column, its cell)
    for index, cell in enumerate(cells):
        name, text = header[index] if index < len(header) else "", cell.strip()
        if not text or name == mapping.parent_column:
            continue
        if not name:
            problems.append((None, f"a value in column {index + 1}, which the header does not name: {text!r}"))
            continue
        column = mapping.columns[name]
        if text.casefold() in NONE_CELLS:
            if column.zipped:
                emptied.setdefault(column.path[0][:-2], (name, text))
            else:
                _place_none(body, names, column)
            continue
        parts = _split(text, column) if column.many or column.zipped else [text]
        values = []
        for part in parts:
            value, problem = _cell_value(part, column.datatype) if part else (None, None)
            if problem:
                problems.append((name, problem))
            values.append(value)
        if column.zipped:
            _place_by_position(body, names, column, values)
        elif any(v is not None for v in values):
            _place(body, names, column, [v for v in values if v is not None])
    for key in [k for k, v in body.items() if isinstance(v, list) and v and isinstance(v[0], dict)]:
        kept = [i for i, item in enumerate(body[key]) if item]  # a position empty in every column is no object
        body[key], names[key] = [body[key][i] for i in kept], [names[key][i] for i in kept]
        if not kept:
            del body[key], names[key]
    for key, (name, text) in emptied.items():
        if key in body:  # an object of the list has a value in another of its columns
            others = sorted({label for item in names[key] for label in item.values()})
            problems.append((name, f"column {name} says there are no {key} ({text!r}), but "
                                   f"{', '.join(others)} {'gives' if len(others) == 1 else 'give'} {key} values in "
                                   f"the same row: write the values, or write none and leave the other {key} "
                                   "columns of the row empty (or none)"))
        else:
            body[key], names[key] = [], name
    where: dict[str, str] = {}
    _pointers(names, "", where)
    return body, where, problems


def _split(text: str, column: Column) -> list[str]:
    separator = _NAME_SEPARATORS if column.datatype in ("@id", "@vocab") else re.compile(re.escape(LIST_SEPARATOR))
    return [part.strip() for part in separator.split(text)]


def _cell_value(text: str, datatype: str | None):
    """A cell as the JSON value a record would hold: numbers and booleans by the context's type, else the text
    (dates, ids and vocabulary names are then checked by check_record)."""
    if datatype == "xsd:boolean":
        value = _BOOLEANS.get(text.casefold())
        return (value, None) if value is not None else (None, f"expected xsd:boolean ({_CSV_EXPECTED[datatype]}), "
                                                              f"got {text!r}")
    try:
        if datatype == "xsd:integer":
            return (int(text), None) if _INTEGER.fullmatch(text) else (
                None, f"expected xsd:integer ({_CSV_EXPECTED[datatype]}), got {text!r}")
        if datatype == "xsd:decimal":
            return (_decimal(text), None) if _DECIMAL.fullmatch(text) else (
                None, f"expected xsd:decimal ({_CSV_EXPECTED[datatype]}), got {text!r}")
    except ValueError:  # more digits than Python converts to an int (4,300)
        return None, f"a number of {len(text):,} digits; expected {datatype} ({_CSV_EXPECTED[datatype]})"
    return text, None


def _decimal(text: str):
    """The JSON number a record would hold (12, 12.5), or the text itself where a float would not keep it."""
    if "." not in text:
        return int(text)
    number = float(text)
    return number if "e" not in repr(number) and Decimal(repr(number)) == Decimal(text) else text


def _place(body: dict, names: dict, column: Column, values: list) -> None:
    *outer, leaf = column.path
    for step in outer:
        body, names = body.setdefault(step, {}), names.setdefault(step, {})
    body[leaf] = values if len(values) > 1 else values[0]
    names[leaf] = [column.name] * len(values) if len(values) > 1 else column.name


def _place_none(body: dict, names: dict, column: Column) -> None:
    """A cell saying there is none: the field as an empty list, which the JSON path reads as recorded absent."""
    *outer, leaf = column.path
    for step in outer:
        body, names = body.setdefault(step, {}), names.setdefault(step, {})
    body[leaf], names[leaf] = [], column.name


def _place_by_position(body: dict, names: dict, column: Column, values: list) -> None:
    key, leaf = column.path[0][:-2], column.path[1]
    items, labels = body.setdefault(key, []), names.setdefault(key, [])
    while len(items) < len(values):
        items.append({})
        labels.append({})
    for index, value in enumerate(values):
        if value is not None:
            items[index][leaf], labels[index][leaf] = value, column.name


def _pointers(names, pointer: str, where: dict[str, str]) -> None:
    if isinstance(names, dict):
        for key, value in names.items():
            _pointers(value, f"{pointer}/{key}", where)
    elif isinstance(names, list):
        for index, value in enumerate(names):
            _pointers(value, f"{pointer}/{index}", where)
    else:
        where[pointer] = names


def _column_at(where: dict[str, str], pointer: str) -> str | None:
    """The column a JSON pointer of check_record came from (a list item's pointer names its list's column)."""
    while pointer:
        if pointer in where:
            return where[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return None


def _iri(ident: str) -> str:
    return urljoin(resources.context()["@base"], ident.strip())


def _with_row(error: InputError, lines: dict[str, int]) -> InputError:
    """An error found after the JSON path (an unknown concept ...) names the row of its record."""
    if error.line is None and error.field and error.field.startswith("<"):
        line = lines.get(error.field[1:error.field.find(">")])
        if line:
            return InputError(error.source, error.message, line=line, field=error.field)
    return error
