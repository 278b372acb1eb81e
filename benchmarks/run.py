"""Validate N generated events by the reference (pySHACL with owlrl on the whole graph) and by our path, and compare.

    python benchmarks/run.py --events 1000 [--no-reference] [--reference-timeout 1800] [--cache DIR]

(a) reference: what a user of pySHACL would run: `pyshacl.validate(data, shacl_graph=<default-profile shapes>,
    ont_graph=<ontology + profile axioms>, inference="owlrl", advanced=True)`, where `data` is the records (read by
    the same loader), the derived facts of kb.reasoning.derive (durations, local dates ...: arithmetic pySHACL cannot
    do), the shapes' parameter values (the limits the shared SPARQL constraints read through $currentShape, which
    pySHACL looks up in the data graph), the whole working-day calendar and the ontology.
(b) ours: `kb.checking.pipeline.validate_paths([records])`.

Each path runs in a subprocess of its own; its wall time is measured inside it (reading the files to the list of
results) and its peak RSS is the child's own `ru_maxrss` (os.wait4), so the two never mix. Results are compared as
sets of (record, focus, shape, severity): a blank-node focus (a speech, a meal, a routing step) is compared by the
record that owns it and the shape; the severity is pySHACL's, before a recorded exception lowers it. The last line
printed is one JSON object (events, reference_s, fast_s, ratio, peak_rss_mb, equal, only_reference, only_fast ...);
the differing tuples are written to differences.json in the work folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOME = HERE.parent
if str(HOME) not in sys.path:
    sys.path.insert(0, str(HOME))

DEFAULT_CACHE = Path(os.environ.get("KB_CACHE") or Path.home() / ".cache" / "daxing-zuofeng-kb") / "bench"


# --- The two paths, each run in its own process -------------------------------------------------------------------


def _key(owner_of, focus, shape, severity) -> tuple[str, str, str, str]:
    from rdflib import BNode

    record = owner_of(focus)
    return (str(record), "_:blank" if isinstance(focus, BNode) else str(focus), str(shape).rsplit("/", 1)[-1],
            str(severity).rsplit("#", 1)[-1])


def _reference(records: Path) -> dict:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from kb import resources
    from kb.checking.pipeline import shape_parameters
    from kb.reasoning import readings
    from kb.reasoning.calendar import calendar
    from kb.reasoning.derive import derived_facts
    from kb.records.load import read
    from kb.records.triples import owner

    phases, shapes_s = _instrument_pyshacl()
    started = time.perf_counter()
    choices = readings.resolve()
    batch = read([str(records)])
    data = batch.union()
    graph = Graph()
    graph += data
    graph += derived_facts(data)
    shapes = readings.shapes(choices)
    graph += shape_parameters(shapes)
    graph += calendar()
    graph += resources.ontology()
    ontology = Graph()
    ontology += resources.ontology()
    ontology += readings.axioms(choices)
    loaded = time.perf_counter()
    _, results, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, inference="owlrl",
                                     advanced=True, allow_warnings=False, abort_on_first=False)
    validated = time.perf_counter()
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        found.add(_key(lambda node: owner(data, node), results.value(result, SH.focusNode),
                       results.value(result, SH.sourceShape), results.value(result, SH.resultSeverity)))
    phases["load (records, derived facts, calendar, ontology)"] = round(loaded - started, 2)
    phases["pySHACL (closure and validation)"] = round(validated - loaded, 2)
    return {"seconds": time.perf_counter() - started, "load_s": loaded - started, "validate_s": validated - loaded,
            "errors": len(batch.errors), "triples": len(data), "results": sorted(found),
            **_shape_summary(phases, shapes_s, shapes)}


def _timed(phases: dict, name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] = round(phases.get(name, 0.0) + time.perf_counter() - started, 2)
    return wrapper


def _instrument_pyshacl() -> tuple[dict, dict]:
    """Time pySHACL's pre-inference and each shape by wrapping them (a few calls each: no overhead to speak of)."""
    from pyshacl.shape import Shape
    from pyshacl.validator import Validator

    phases: dict[str, float] = {}
    shapes: dict[str, float] = {}
    Validator._run_pre_inference = staticmethod(_timed(phases, "owlrl closure (pySHACL pre-inference)",
                                                       Validator._run_pre_inference))
    validate_shape = Shape.validate

    def shape_timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return validate_shape(self, *args, **kwargs)
        finally:
            name = str(self.node).rsplit("/", 1)[-1]
            shapes[name] = shapes.get(name, 0.0) + time.perf_counter() - started

    Shape.validate = shape_timed
    return phases, shapes


def _shape_summary(phases: dict, shapes_s: dict, shapes) -> dict:
    """The phases, the time of the SPARQL-based shapes, and the slowest shapes (nested shapes count in their parent)."""
    from rdflib.namespace import SH

    sparql = {str(s).rsplit("/", 1)[-1] for s in shapes.subjects(SH.sparql, None)}
    top = sorted(shapes_s.items(), key=lambda item: -item[1])
    return {"phases": phases, "sparql_shapes_s": round(sum(t for name, t in shapes_s.items() if name in sparql), 2),
            "slowest_shapes": [(name, round(t, 2)) for name, t in top[:12]]}


def _instrument() -> tuple[dict, dict]:
    """Time the phases of kb.checking.pipeline and each pySHACL shape."""
    import kb.checking.pipeline as pipeline

    phases, shapes = _instrument_pyshacl()
    timed = lambda name, function: _timed(phases, name, function)  # noqa: E731

    pipeline.read = timed("load (read and parse the records)", pipeline.read)
    pipeline.infer = timed("inference (derived facts + OWL 2 RL closure)", pipeline.infer)
    pipeline.days_ntriples = timed("calendar window", pipeline.days_ntriples)
    pipeline.pyshacl.validate = timed("pySHACL", pipeline.pyshacl.validate)
    pipeline.findings_from = timed("findings (explain the results)", pipeline.findings_from)
    pipeline.judge_in_time = timed("provisions in force", pipeline.judge_in_time)
    return phases, shapes


def _fast(records: Path) -> dict:
    from rdflib import BNode, URIRef

    from kb.checking.pipeline import validate_paths
    from kb.reasoning import readings

    phases, shapes = _instrument()
    started = time.perf_counter()
    outcome = validate_paths([str(records)])
    seconds = time.perf_counter() - started
    found = set()
    for f in outcome.findings:
        focus = BNode(f.focus[2:]) if f.focus.startswith("_:") else URIRef(f.focus)
        found.add(_key(lambda node, f=f: f.record, focus, f.shape, f.original_severity or f.severity))
    return {"seconds": seconds, "errors": len(outcome.errors), "triples": len(outcome.batch.union()),
            "inferred": len(outcome.inferred), "not_in_force": len(outcome.not_in_force), "results": sorted(found),
            **_shape_summary(phases, shapes, readings.shapes(readings.resolve()))}


MEMORY_EXIT = 3


def worker(which: str, records: Path, result: Path, profile: Path | None) -> int:
    run = {"reference": _reference, "fast": _fast}[which]
    try:
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            answer = profiler.runcall(run, records)
            profiler.dump_stats(profile)
        else:
            answer = run(records)
    except MemoryError:
        return MEMORY_EXIT
    result.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    return 0


# --- The parent: generate, run both, compare -----------------------------------------------------------------------


def _spawn(which: str, records: Path, result: Path, timeout: float | None, profile: Path | None,
           memory_mb: float | None = None) -> dict:
    """Run one path in a child process; its wall time, its own peak RSS, and whether it was stopped."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", which, "--records", str(records),
               "--result", str(result)]
    if profile:
        command += ["--profile", str(profile)]

    def limit_memory():  # in the child, before it runs: its address space is capped (a MemoryError then)
        if memory_mb:
            cap = int(memory_mb * 1024 * 1024)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=str(HOME), preexec_fn=limit_memory)
    deadline = None if timeout is None else started + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.kill(child.pid, signal.SIGKILL)
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = -signal.SIGKILL
            return {"stopped": True, "process_s": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024}
        time.sleep(0.2)
    child.returncode = os.waitstatus_to_exitcode(status)
    answer = {"stopped": False, "process_s": time.perf_counter() - started, "rss_mb": usage.ru_maxrss / 1024,
              "exit": child.returncode}
    if child.returncode == 0:
        answer.update(json.loads(result.read_text(encoding="utf-8")))
    return answer


def _data(events: int, share: float, seed: int, cache: Path | None) -> Path:
    """The generated folder for these arguments, made once and reused from the cache."""
    from benchmarks import generate

    version = hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()[:10]  # a changed generator: new data
    folder = (cache or DEFAULT_CACHE) / f"n{events}-v{share}-s{seed}-{version}"
    manifest = folder / "manifest.json"
    if not (manifest.exists() and (folder / "records").is_dir()):
        generate.write(folder, events, share, seed)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, help="number of generated events")
    parser.add_argument("--violations", type=float, default=0.1, help="share of events made to violate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reference", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the reference (pySHACL + owlrl on the whole graph)")
    parser.add_argument("--reference-timeout", type=float, default=1800, help="seconds before the reference is stopped")
    parser.add_argument("--reference-memory-mb", type=float, default=14000,
                        help="address-space cap of the reference process (it needs ~11 GB at 100 events)")
    parser.add_argument("--fast-timeout", type=float, help="seconds before our path is stopped (default: none)")
    parser.add_argument("--cache", type=Path, help=f"folder for generated data (default {DEFAULT_CACHE})")
    parser.add_argument("--profile", type=Path, help="write a cProfile of our path to this file")
    parser.add_argument("--worker", choices=["reference", "fast"], help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.records, args.result, args.profile)
    if not args.events:
        parser.error("--events is required")

    folder = _data(args.events, args.violations, args.seed, args.cache)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    records = folder / "records"
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        fast = _spawn("fast", records, Path(scratch) / "fast.json", args.fast_timeout, args.profile)
        reference = (_spawn("reference", records, Path(scratch) / "reference.json", args.reference_timeout, None,
                            args.reference_memory_mb) if args.reference else None)

    events = manifest["events"]
    rows = [("ours (kb.checking.pipeline)", fast)] + ([("reference (pySHACL+owlrl)", reference)] if reference else [])
    print(f"\n{events} events ({manifest['violating_events']} made to violate), records in {records}")
    print(f"{'path':<28}{'wall s':>10}{'events/s':>10}{'process s':>11}{'peak RSS MB':>13}{'results':>9}")
    for label, run in rows:
        seconds = run.get("seconds")
        print(f"{label:<28}{_fmt(seconds):>10}{_fmt(events / seconds if seconds else None):>10}"
              f"{_fmt(run['process_s']):>11}{_fmt(run['rss_mb']):>13}{len(run.get('results', [])) or '-':>9}"
              + ("   stopped after the timeout" if run["stopped"] else "")
              + (f"   exit {run['exit']}" if run.get("exit") else ""))

    for label, run in rows:
        if run.get("phases"):
            print(f"{label}, by phase (s): " + ", ".join(f"{k} {v}" for k, v in run["phases"].items())
                  + f"; of which SPARQL-based shapes {run['sparql_shapes_s']}")
            print("  slowest shapes (s): " + ", ".join(f"{name} {t}" for name, t in run["slowest_shapes"][:6]))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    summary = {"events": events, "fast_s": _round(fast.get("seconds")), "reference_s": None, "ratio": None,
               "peak_rss_mb": _round(max(run["rss_mb"] for _, run in rows)), "equal": None,
               "fast_results": len(fast.get("results", [])), "fast_rss_mb": _round(fast["rss_mb"]),
               "expected_found": _expected_found(expected, fast.get("results", [])),
               "load_average": [_round(load_before), _round(os.getloadavg()[0])]}
    notes = [note for note in (_failure("our path", fast, args.fast_timeout, None),
                               _failure("reference", reference, args.reference_timeout, args.reference_memory_mb))
             if note]
    if reference is None:
        notes.append("reference not run (--no-reference)")
    if reference is not None and not reference["stopped"] and not reference.get("exit"):
        summary.update(reference_s=_round(reference["seconds"]), reference_load_s=_round(reference["load_s"]),
                       reference_closure_s=reference["phases"].get("owlrl closure (pySHACL pre-inference)"),
                       reference_rss_mb=_round(reference["rss_mb"]), reference_results=len(reference["results"]))
    if summary["fast_s"] and summary["reference_s"]:
        ours = {tuple(r) for r in fast["results"]}
        theirs = {tuple(r) for r in reference["results"]}
        only_reference, only_fast = sorted(theirs - ours), sorted(ours - theirs)
        summary.update(ratio=_round(reference["seconds"] / fast["seconds"]),
                       equal=not only_reference and not only_fast)
        if only_reference or only_fast:
            differences = folder / "differences.json"
            differences.write_text(json.dumps({"only_reference": only_reference, "only_fast": only_fast},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
            summary.update(only_reference=len(only_reference), only_fast=len(only_fast),
                           differences=str(differences))
            print(f"results differ: {len(only_reference)} only in the reference, {len(only_fast)} only in ours; "
                  f"see {differences}")
    if notes:
        summary["note"] = "; ".join(notes)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _failure(label: str, run: dict | None, timeout: float | None, memory_mb: float | None) -> str | None:
    if run is None:
        return None
    if run["stopped"]:
        return f"{label} stopped after {timeout:.0f} s"
    if run.get("exit") == MEMORY_EXIT:
        return f"{label} ran out of its {memory_mb:.0f} MB memory cap"
    if run.get("exit"):
        return f"{label} failed (exit {run['exit']})"
    return None


def _expected_found(expected: dict[str, list[str]], results: list) -> dict:
    """How many of the violations the generator planted our path reports (record and shape)."""
    base = "https://w3id.org/daxing-zuofeng/id/"
    found = {(r[0].removeprefix(base), r[2]) for r in results}
    planted = {(record, shape) for record, shapes in expected.items() for shape in shapes}
    return {"planted": len(planted), "found": len(planted & found),
            "other_records": len({r for r, _ in found} - set(expected))}


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def _round(value):
    return None if value is None else round(value, 2)


if __name__ == "__main__":
    sys.exit(main())
