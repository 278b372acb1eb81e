"""Fuzzing reading records (issue 13): whatever is done to a valid record file, `kb validate` exits 0, 1 or 2 with a
JSON report, prints no traceback, connects nowhere, and still validates every record it was given unmutated.

Each example writes one to three files mutated from data/examples/ (JSON, CSV, Turtle: value types, lengths, nesting,
IRIs, JSON-LD keywords, unknown fields, columns, hostile lines, encodings, truncation) beside control files whose
records share no id with them, and runs the real command in-process (a fresh `kb` process costs seconds). A TCP port
on 127.0.0.1 stands in for any server a record names.

The default profile is small and reproducible (derandomized, no example database). KB_FUZZ_EXAMPLES=N runs N random
examples instead; benchmarks/fuzz.py does that and reports the figures. A failure prints the smallest example found.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import logging
import os
import signal
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.listener import Listener

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
BASE = "https://w3id.org/daxing-zuofeng/id/"
LONG_RUN = int(os.environ.get("KB_FUZZ_EXAMPLES", "0"))
LOG = os.environ.get("KB_FUZZ_LOG")  # benchmarks/fuzz.py: one line per example, its exit code
SAFETY_CAP_SECONDS = 300  # not a timing test: only so that a hang fails instead of blocking the suite
PORT = "PORT_OF_THE_LISTENER"  # in drawn text; the listener's port is put in when the file is written

# The control records: a special-topic meeting of 61 minutes in JSON and one of 70 minutes in CSV, organised by a unit
# of their own. Their findings do not depend on any record of data/examples (no shared id, no shared year plan).
CONTROL_JSON = [
    {"id": "fuzz-control/meeting-61-minutes", "type": "Meeting", "kind": "SpecialTopicMeeting", "title": "对照专题会",
     "organiser": "fuzz-control/unit", "start": "2024-03-12T09:00:00+08:00", "minutes": 61,
     "venue": {"name": "第一会议室", "kind": "InternalMeetingRoom"}},
    {"id": "fuzz-control/unit", "type": "Organisation", "name": "对照单位", "classification": "FunctionalDepartment"},
]
CONTROL_CSV = ("id,kind,title,organiser,start,end,venue_name,venue_kind\n"
               "fuzz-control/csv-meeting,SpecialTopicMeeting,对照专题会(表格),fuzz-control/unit,"
               "2024-05-14T09:00:00+08:00,2024-05-14T10:10:00+08:00,第二会议室,InternalMeetingRoom\n")
CONTROL_FILES = {"control.json": json.dumps(CONTROL_JSON, ensure_ascii=False), "control.meetings.csv": CONTROL_CSV}


def _records(document) -> list[dict]:
    return document if isinstance(document, list) else document.get("@graph", [document])


JSON_RECORDS = [record for path in sorted(EXAMPLES.glob("*.json"))
                for record in _records(json.loads(path.read_text(encoding="utf-8")))]
TURTLE_FILES = {path.name: path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*.ttl"))}
CSV_FILES = {path.name: path.read_text(encoding="utf-8-sig") for path in sorted((EXAMPLES / "csv").glob("*.csv"))}


def _field_names(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {name for item in value.values() for name in _field_names(item)}
    if isinstance(value, list):
        return {name for item in value for name in _field_names(item)}
    return set()


FIELDS = sorted(set().union(*(_field_names(record) for record in JSON_RECORDS)))
COLUMNS = sorted({name for text in CSV_FILES.values() for name in next(csv.reader(io.StringIO(text)))})

# --- What a mutation puts in -------------------------------------------------------------------------------------

LISTENER_URL = f"http://127.0.0.1:{PORT}/context.jsonld"
HOSTILE_IRIS = [
    f"http://127.0.0.1:{PORT}/x", LISTENER_URL, f"//127.0.0.1:{PORT}/x", "file:///etc/passwd", "urn:x", "", " ",
    "meeting/a b", "org/a\tb", "org/\x00", "org/\x7f", "org/\x85", "<x>", 'org/"x"', "org/{x}", "会议/一", "_:b0",
    "http://", "../../x", "#x", "?q", "x:y", "mailto:a@b", "http://[::1]/", "%zz", "org/\u202e", "org/\ufeff",
    "org/\ud800", "http://a:b/", "http://[x/",
    "person/zhou-ming", "org/district-government", "plan/2024", "A09.3", "dxv:event-Meeting",
]
KEYWORDS = ["@context", "@import", "@id", "@type", "@graph", "@included", "@nest", "@reverse", "@vocab", "@base",
            "@value", "@list", "@set", "@language", "@index", "@json", "@propagate", "@protected", "@version"]
KEYWORD_VALUES = [LISTENER_URL, {"@import": LISTENER_URL}, {"@vocab": LISTENER_URL}, {"title": LISTENER_URL},
                  [LISTENER_URL], "file:///etc/passwd", {"id": "meeting/x"}, [{"id": "meeting/y", "type": "Meeting"}],
                  None, 1.1, "@json"]
# JSON text json.dumps cannot write: numbers beyond Python's int conversion limit, NaN, escaped lone surrogates and
# nesting deeper than json.dumps recurses.
RAW_JSON = ["1" * 5000, "-" + "9" * 4301, "1e999", "-1e-999", "NaN", "Infinity", "-0", '"\\ud800"', '"a\\udc80b"',
            '"\\u0000"', "[" * 1000 + "]" * 1000, "{\"venue\": " * 200 + "1" + "}" * 200, "[" * 100_000 + "]" * 100_000]
LENGTHS = [0, 1, 99_999, 100_000, 100_001, 250_000]


def hostile_iri() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_IRIS), st.text(max_size=30))


def any_value() -> st.SearchStrategy:
    scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), hostile_iri())
    return st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)),
                        max_leaves=8)


def long_text() -> st.SearchStrategy[str]:
    return st.builds(lambda char, n: char * n, st.sampled_from(["a", "会", " ", "\n", "\x00"]),
                     st.sampled_from(LENGTHS))


# --- JSON --------------------------------------------------------------------------------------------------------


def _places(value, path=()):
    """Every place in a JSON value, as the keys and indexes leading to it."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _at(value, path):
    for step in path:
        value = value[step]
    return value


def _replaced(document, path, new):
    if not path:
        return new
    _at(document, path[:-1])[path[-1]] = new
    return document


@st.composite
def json_mutation(draw, document, raw: dict[str, str]):
    """One change at any depth: a value's type or length, nesting, an IRI, a keyword, an unknown or removed field,
    or JSON text no encoder writes."""
    places = list(_places(document))
    path = draw(st.sampled_from(places))
    value = _at(document, path)
    kind = draw(st.sampled_from(["type", "length", "list", "nesting", "iri", "keyword", "unknown", "remove", "raw",
                                 "type", "iri", "raw"]))  # the last three twice as likely
    if kind == "type":
        return _replaced(document, path, draw(any_value()))
    if kind == "length":
        return _replaced(document, path, draw(long_text()))
    if kind == "list":
        return _replaced(document, path, [value] * draw(st.sampled_from([0, 2, 100, 1000])))
    if kind == "nesting":
        depth, key = draw(st.integers(1, 60)), draw(st.sampled_from([None, "x", *FIELDS]))
        for _ in range(depth):
            value = [value] if key is None else {key: value}
        return _replaced(document, path, value)
    if kind == "iri":
        return _replaced(document, path, draw(hostile_iri()))
    if kind == "raw":
        token = f"raw-json-{len(raw)}"
        raw[json.dumps(token)] = draw(st.sampled_from(RAW_JSON))
        return _replaced(document, path, token)
    objects = [p for p in places if isinstance(_at(document, p), dict)]
    obj = _at(document, draw(st.sampled_from(objects))) if objects else None
    if obj is None:
        return document
    if kind == "keyword":
        obj[draw(st.sampled_from(KEYWORDS))] = copy.deepcopy(draw(st.sampled_from(KEYWORD_VALUES)))
    elif kind == "unknown":
        key = draw(st.one_of(st.sampled_from(["x", "Title", "title ", "名称", "", "ID", "type "]), st.text(max_size=8)))
        obj[key] = draw(any_value())
    elif obj:
        del obj[draw(st.sampled_from(sorted(obj)))]
    return document


@st.composite
def json_file(draw) -> tuple[str, str]:
    records = copy.deepcopy(draw(st.lists(st.sampled_from(JSON_RECORDS), min_size=1, max_size=3)))
    raw: dict[str, str] = {}
    document = draw(st.sampled_from(["list", "object", "graph"]))
    document = records if document == "list" else records[0] if document == "object" else {"@graph": records}
    for _ in range(draw(st.integers(0, 3))):
        document = draw(json_mutation(document, raw))
    text = json.dumps(document, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    for token, replacement in raw.items():
        text = text.replace(token, replacement, 1)
    return draw(st.sampled_from(["records.json", "records.jsonld"])), text


# --- Turtle ------------------------------------------------------------------------------------------------------

OWL_IMPORTS = "<http://www.w3.org/2002/07/owl#imports>"
HOSTILE_TURTLE_LINES = [
    f"@base <http://127.0.0.1:{PORT}/> .", f"@prefix dxd: <http://127.0.0.1:{PORT}/> .", "@prefix dxo: <> .",
    f"<http://127.0.0.1:{PORT}/x> {OWL_IMPORTS} <http://127.0.0.1:{PORT}/ontology.ttl> .",
    f"<> {OWL_IMPORTS} <file:///etc/passwd> .", "@prefix : <file:///etc/> . :passwd a :x .",
    "dxd:fuzz a dxo:Meeting ; dxo:title \"" + "会" * 100_001 + "\"@zh .",
    "dxd:fuzz dxo:durationMinutes " + "1" * 5000 + " .", "dxd:fuzz dxo:durationMinutes \"abc\"^^xsd:integer .",
    "dxd:fuzz schema:startDate \"2024-13-45\"^^xsd:dateTime .", "dxd:fuzz dxo:durationMinutes 1e999 .",
    "dxd:fuzz dxo:venue " + "[ dxo:venue " * 60 + "]" * 60 + " .",
    "dxd:fuzz dxo:venue " + "[ dxo:venue " * 5000 + "]" * 5000 + " .",
    "dxd:fuzz dxo:title " + "(" * 1000 + ")" * 1000 + " .", "<a b> a dxo:Meeting .",
    "<http://x/\\u0000> a dxo:Meeting .",
    'dxd:fuzz dxo:title "\\ud800" .', 'dxd:fuzz dxo:title "\\U0010FFFF\\U00110000" .', '"""unterminated',
    "[] a dxo:Meeting .", "_:b a dxo:Meeting ; dxo:eventKind dxv:event-SpecialTopicMeeting .",
    'dxd:fuzz dxo:title "x"@zh-invalid-language-tag-that-is-far-too-long .', "GRAPH <x> { <a> <b> <c> }",
    '@version "1.2" .', "@prefix dxo: <_:b0> .",
    'dxd:fuzz dxo:title "x"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .',
    "dxd:fuzz dxo:organiser <urn:x> , <file:///etc/passwd> .", "\x00", "\ufeff",
]


@st.composite
def turtle_file(draw) -> tuple[str, str]:
    name, text = draw(st.sampled_from(sorted(TURTLE_FILES.items())))
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["insert", "remove", "repeat", "iri", "literal"]))
        if kind == "insert":
            lines.insert(at, draw(st.sampled_from(HOSTILE_TURTLE_LINES)))
        elif kind in ("remove", "repeat") and at < len(lines):
            lines[at:at + 1] = [] if kind == "remove" else [lines[at]] * 2
        elif at < len(lines):
            opening, closing = ("<", ">") if kind == "iri" else ('"', '"')
            head, found, rest = lines[at].partition(opening)
            if found and closing in rest:  # the first IRI or literal of the line, replaced
                new = draw(hostile_iri()) if kind == "iri" else draw(st.one_of(st.text(max_size=20), long_text()))
                lines[at] = head + opening + new + closing + rest.partition(closing)[2]
    return draw(st.sampled_from([name, name[:-4] + ".nt"])), "\n".join(lines) + "\n"


# --- CSV ---------------------------------------------------------------------------------------------------------

CELLS = ["", " ", "none", "无", "是", "否", "true", "1", "0", "-1", "1.5", "1e5", "1" * 5000, "a;b;;c", ";", "；",
         "=cmd|' /C calc'!A0", '"', "\n", "\r", "2024-13-45", "2024-03-12 09:00", "2024-03-12T09:00:00+08:00",
         "SpecialTopicMeeting", "InternalMeetingRoom", "meeting/2024-07-23-executive"]


@st.composite
def csv_file(draw) -> tuple[str, str]:
    name, text = draw(st.sampled_from(sorted(CSV_FILES.items())))
    rows = list(csv.reader(io.StringIO(text)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(rows) - 1))
        row = rows[at]
        kind = draw(st.sampled_from(["cell", "cut", "extra", "column", "header", "row"]))
        if kind == "cell" and row:
            row[draw(st.integers(0, len(row) - 1))] = draw(st.one_of(st.sampled_from(CELLS), hostile_iri(),
                                                                     long_text(), st.text(max_size=20)))
        elif kind == "cut":
            del row[draw(st.integers(0, len(row))):]
        elif kind == "extra":
            row.extend(draw(st.lists(st.sampled_from(CELLS), min_size=1, max_size=3)))
        elif kind == "column" and rows[0]:
            column = draw(st.integers(0, len(rows[0]) - 1))
            for each in rows:
                del each[column:column + 1]
        elif kind == "header" and rows[0]:
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(st.one_of(st.sampled_from(COLUMNS),
                                                                              st.text(max_size=10)))
        elif kind == "row":
            rows.insert(at, draw(st.sampled_from([[], [""] * 3, list(row), [",,,"]])))
    out = io.StringIO()
    csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):  # text a spreadsheet would not write: an unbalanced quote, a NUL, a bare CR
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\x00", "\r", '""', "\ufeff"])) + text[at:]
    stem = name[:-4]
    return draw(st.sampled_from([name, stem + ".CSV", "table.csv", stem + ".unknown.csv"])), text


# --- Bytes -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MutatedFile:
    """A drawn file: its name and text, and at most one damage to its bytes (another encoding, bytes put in, a cut)."""

    name: str
    text: str
    encoding: str = "utf-8"
    inserted: bytes = b""
    cut: bool = False
    at: int = 0  # where the bytes go in or the file ends, modulo its length

    def data(self, port: int) -> bytes:
        text = self.text.replace(PORT, str(port))
        unencodable = "surrogatepass" if self.encoding.startswith("utf") else "replace"
        data = text.encode(self.encoding, errors=unencodable)
        at = self.at % (len(data) + 1)
        return data[:at] if self.cut else data[:at] + self.inserted + data[at:]


ENCODINGS = ["utf-8-sig", "utf-16", "utf-16-be", "latin-1", "gb18030"]
BYTES_NO_ENCODER_WRITES = [b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\r"]


@st.composite
def mutated_file(draw) -> MutatedFile:
    name, text = draw(st.one_of(json_file(), csv_file(), turtle_file()))
    damage = draw(st.sampled_from(["none", "none", "none", "encoding", "bytes", "cut"]))
    at = draw(st.integers(0, 10**7))
    if damage == "encoding":
        return MutatedFile(name, text, encoding=draw(st.sampled_from(ENCODINGS)))
    if damage == "bytes":
        return MutatedFile(name, text, inserted=draw(st.sampled_from(BYTES_NO_ENCODER_WRITES)), at=at)
    return MutatedFile(name, text, cut=damage == "cut", at=at)


# --- The property ------------------------------------------------------------------------------------------------


class _TooSlow(BaseException):
    """Raised by the safety cap; a BaseException, so the command's own handler of unexpected errors lets it through."""


def _stop(signum, frame):
    raise _TooSlow


class _Logged(logging.Handler):
    """What a library logs at WARNING or above: Python prints it, traceback and all, on the user's stderr."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(logging.Formatter().format(record) + "\n")


def run_validate(folder: Path) -> tuple[int, str, str]:
    """`kb validate FOLDER --format json` in this process: (exit code, stdout, stderr with what was logged). Anything
    the command lets escape (a Rust panic is a BaseException) fails the example with its name."""
    out, err, logged = io.StringIO(), io.StringIO(), _Logged()
    logging.getLogger().addHandler(logged)
    interrupt = signal.getsignal(signal.SIGINT)
    previous_alarm = signal.signal(signal.SIGALRM, _stop)
    signal.alarm(SAFETY_CAP_SECONDS)
    from kb import cli

    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["validate", str(folder), "--format", "json"])
    except _TooSlow:
        pytest.fail(f"kb validate ran more than {SAFETY_CAP_SECONDS} s")
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the point is that nothing escapes
        raise AssertionError(f"kb validate let {type(exc).__name__} escape: {exc}") from exc
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous_alarm)
        signal.signal(signal.SIGINT, interrupt)
        logging.getLogger().removeHandler(logged)
    return code, out.getvalue(), err.getvalue() + "".join(logged.lines)


def control_findings(report: dict) -> list[tuple]:
    """What the report says of the control records, without the folder they were read from."""
    return sorted((f["record"], f["shape"], f["severity"], f.get("focus"), f.get("path"), str(f.get("value")))
                  for f in report["findings"] if f["record"].startswith(BASE + "fuzz-control/"))


def write_control(folder: Path) -> None:
    for name, text in CONTROL_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")


class Port(Listener):
    """The listener every hostile IRI names; it also notes each caller's port, so our own connections can be told
    from anyone else's."""

    def __init__(self):
        self.callers: list[int] = []
        self.checked = 0  # callers up to here are accounted for
        self.not_ours = 0
        super().__init__()

    def _accept(self):
        while self.running:
            try:
                connection, caller = self.socket.accept()
            except TimeoutError:
                continue
            self.callers.append(caller[1])
            self.connections += 1
            connection.close()

    def others(self) -> int:
        """Connections not our own so far, including any still waiting to be accepted: we connect once ourselves and
        wait until that is accepted (connections are accepted in order); whoever came before us is someone else."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as ours:
            mine = ours.getsockname()[1]
            for _ in range(1000):  # a safety cap of about 10 s, not a timing
                if mine in self.callers[self.checked:]:
                    break
                time.sleep(0.01)
        at = self.callers.index(mine, self.checked)
        self.not_ours += at - self.checked
        self.checked = at + 1
        return self.not_ours


@pytest.fixture(scope="module")
def port():
    listening = Port()
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def baseline():
    """The control files validated alone: the findings every fuzzed run must still give for them."""
    with tempfile.TemporaryDirectory() as folder:
        write_control(Path(folder))
        code, out, err = run_validate(Path(folder))
    assert code == 1, err
    findings = control_findings(json.loads(out))
    assert {f[1].rsplit("/", 1)[1] for f in findings} >= {"A08-3_SpecialTopicMeetingMaxOneHour"}
    assert {f[0] for f in findings} == {BASE + "fuzz-control/meeting-61-minutes", BASE + "fuzz-control/csv-meeting"}
    return findings


@settings(max_examples=LONG_RUN or 25, deadline=None, derandomize=not LONG_RUN, database=None, print_blob=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(files=st.lists(mutated_file(), min_size=1, max_size=3))
def test_mutated_records_never_crash_fetch_or_cost_the_other_records(port, baseline, files):
    connections = port.others()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_control(folder)
        (folder / "mutated").mkdir()
        for index, file in enumerate(files):
            (folder / "mutated" / f"m{index}-{file.name}").write_bytes(file.data(port.port))
        code, out, err = run_validate(folder)
    if LOG:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(f"{code}\n")
    assert code in (0, 1, 2), err
    assert "Traceback" not in out + err, err
    out.encode("utf-8")  # what a real stdout must be able to write (no lone surrogate)
    report = json.loads(out)
    assert not [e for e in report["input_errors"] if Path(e["source"]).name in CONTROL_FILES], report["input_errors"]
    assert control_findings(report) == baseline
    assert port.others() == connections, "kb validate connected to the listener"
