"""The `kb` command.

Exit codes: 0 conforms, 1 findings at or above --fail-on, 2 unreadable input or usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC

from kb import __version__

EPILOG = """examples:
  kb validate data/examples                      validate the bundled sample records
  kb validate meeting.json --format json         one file, machine-readable
  kb validate data/examples --format html -o report.html    a page to open in a browser (works offline)
  cat records.ttl | kb validate - --fail-on warning
  kb validate meetings/ --profile broad          read the caps as widely as the text allows
  kb validate m.json --set P_A08_45_scope=allMeetings
  kb settings                                    list the interpretation settings
  kb rules situation.json                        every provision: violated, warning, passed, n/a, not enough data
  kb explain meeting/2024-06-18-budget data/examples     the chain behind each finding of one record
  kb query violations-by-article-unit-month data/examples --param from=2024-01-01 --format csv

exit codes: 0 conforms, 1 findings found, 2 unreadable input or usage error
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kb", description="The Daxing work-style regulation as a knowledge base.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check event records against the regulation",
                                   epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    validate.add_argument("--format", choices=("text", "json", "turtle", "html"), default="text",
                          help="html: one self-contained page with charts and a filterable table")
    validate.add_argument("--fail-on", choices=("violation", "warning", "info"), default="violation",
                          help="lowest severity that makes the exit code 1 (default: violation)")
    validate.add_argument("-o", "--output", default="-", help="write the report to a file (default: stdout)")
    validate.add_argument("--profile", default="default",
                          help="interpretation profile (data/profiles/settings.trig; see `kb settings`)")
    validate.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                          help="choose one setting's alternative, e.g. --set P_A08_45_scope=allMeetings")
    validate.add_argument("--results", metavar="FILE",
                          help="also write the run and its results as RDF (Turtle) to FILE, for kb query")
    validate.add_argument("--explain", action="store_true", help="show the chain behind each finding (text)")

    rules = commands.add_parser("rules", help="every provision's outcome for a situation (an event record)",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("paths", nargs="+", metavar="PATH", help="the situation's records (and people, units ...)")
    rules.add_argument("--record", help="the event to answer for (IRI or id such as meeting/x); default: every event")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--all", action="store_true", help="also list the provisions that do not apply")
    _reading_options(rules)

    explain = commands.add_parser("explain", help="the chain behind each finding of one record")
    explain.add_argument("record", help="the record (IRI or id such as meeting/2024-06-18-budget)")
    explain.add_argument("paths", nargs="+", metavar="PATH")
    _reading_options(explain)

    ask = commands.add_parser("query", help="run a library query (see queries/) or a .rq file over the knowledge base",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    ask.add_argument("query", nargs="?", metavar="NAME|FILE.rq", help="omit to list the library")
    ask.add_argument("paths", nargs="*", metavar="PATH", help="records to validate and include (optional)")
    ask.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                     help="bind a parameter the query's header declares (typed by the header, never pasted in)")
    ask.add_argument("--results", action="append", default=[], metavar="FILE",
                     help="results of earlier runs (kb validate --results) to include")
    ask.add_argument("--format", choices=("table", "csv", "tsv", "json", "srj"), default="table")
    _reading_options(ask)

    commands.add_parser("settings", help="list the interpretation settings, their alternatives and the profiles")
    cover = commands.add_parser("coverage", help="every constraint with its shapes and test cases, or the reason")
    cover.add_argument("--format", choices=("text", "json"), default="text")

    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    if args.command == "validate":
        return _validate(args)
    if args.command == "settings":
        return _settings()
    if args.command == "coverage":
        return _coverage(args)
    if args.command == "rules":
        return _rules(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "query":
        return _query(args)
    return 2


def _reading_options(parser) -> None:
    parser.add_argument("--profile", default="default", help="interpretation profile (see `kb settings`)")
    parser.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                        help="choose one setting's alternative")


def _record_iri(text: str) -> str:
    from kb.namespaces import DXD

    return text if "://" in text else str(DXD[text])


def _report_input_errors(outcome) -> None:
    for error in outcome.errors:
        print(f"kb: {error}", file=sys.stderr)


def _rules(args) -> int:
    import json

    from kb.profiles import SettingError
    from kb.rules import rules_for_paths
    from kb.rules_report import as_text

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    outcome, rules = rules_for_paths(args.paths, choices, _record_iri(args.record) if args.record else None)
    _report_input_errors(outcome)
    if not rules:
        print("kb: no event record found to answer for (give --record, or records of type Meeting, Reception ...)",
              file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rules], ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(as_text(rules, show_not_applicable=args.all))
    return 2 if outcome.errors else 0


def _explain(args) -> int:
    from kb.explain import explain
    from kb.profiles import SettingError
    from kb.validate import validate_paths

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    outcome = validate_paths(args.paths, choices=choices)
    _report_input_errors(outcome)
    record = _record_iri(args.record)
    sys.stdout.write(explain(outcome, record))
    return 2 if outcome.errors else 0


def _query(args) -> int:
    from rdflib import Graph

    from kb import query
    from kb.profiles import SettingError
    from kb.results import results_graph
    from kb.rules import parts
    from kb.validate import validate_paths

    if args.query is None:
        for name, known in query.library().items():
            params = " ".join(f"{p.name}{'' if p.required else '?'}" for p in known.params)
            print(f"{name:<40} {known.summary}" + (f"  [{params}]" if params else ""))
        return 0
    try:
        choices = _choices(args)
        asked = query.find(args.query)
        values = {}
        for item in args.param:
            name, sep, value = item.partition("=")
            if not sep:
                raise query.QueryError(f"--param takes NAME=VALUE, got {item!r}")
            values[name.strip().lstrip("?")] = value
        query.bindings(asked, values)
        query.prepare(asked)
    except (SettingError, query.QueryError) as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    data = inferred = results = None
    status = 0
    if args.paths:
        outcome = validate_paths(args.paths, choices=choices)
        _report_input_errors(outcome)
        status = 2 if outcome.errors else 0
        data, inferred, results = outcome.batch.union(), outcome.inferred, results_graph(outcome)
        data += parts(data)
    for path in args.results:
        earlier = Graph()
        try:
            earlier.parse(path, format="turtle")
        except Exception as exc:
            print(f"kb: {path}: not a Turtle results file: {exc}", file=sys.stderr)
            return 2
        results = earlier if results is None else results + earlier
    graph = query.knowledge_graph(data, inferred, results, choices)
    try:
        sys.stdout.write(query.render(query.run(graph, asked, values), args.format))
    except query.QueryError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    return status


def _coverage(args) -> int:
    import json

    from kb import coverage

    rows = coverage.coverage()
    if args.format == "json":
        print(json.dumps(coverage.as_json(rows), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(coverage.as_text(rows))
    return 0


def _choices(args):
    from kb.profiles import SettingError, resolve

    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SettingError(f"--set takes SETTING=VALUE, got {item!r}")
        overrides[name.strip()] = value.strip()
    return resolve(args.profile, overrides)


def _settings() -> int:
    from kb import profiles

    for name, setting in sorted(profiles.settings().items()):
        default = next(c for c in profiles.resolve() if c.setting == name)
        print(f"{name}: {profiles.label(setting, 'en')}")
        for value, alternative in sorted(profiles.alternatives(setting).items()):
            mark = "*" if alternative == default.iri else " "
            print(f"  {mark} {value:<22} {profiles.label(alternative, 'en')} / {profiles.label(alternative, 'zh')}")
    print("\nprofiles: " + ", ".join(sorted(profiles.profiles())) + "   (* = default)")
    return 0


def _validate(args) -> int:
    from datetime import datetime

    from kb.profiles import SettingError
    from kb.report import FORMATS
    from kb.validate import validate_paths

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    started = datetime.now(UTC)
    outcome = validate_paths(args.paths, choices=choices)
    text = FORMATS[args.format](outcome)
    if args.explain and args.format == "text":
        from kb.explain import explain

        text += "".join(explain(outcome, record) for record in sorted({f.record for f in outcome.findings}))
    if args.results:
        from kb.results import results_graph

        results_graph(outcome, started=started).serialize(args.results, format="turtle", encoding="utf-8")
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    if outcome.errors:
        for error in outcome.errors:
            print(f"kb: {error}", file=sys.stderr)
        return 2
    rank = {"info": 0, "warning": 1, "violation": 2}
    worst = max((rank[f.severity.lower()] for f in outcome.findings), default=-1)
    return 1 if worst >= rank[args.fail_on] else 0


if __name__ == "__main__":
    sys.exit(main())
