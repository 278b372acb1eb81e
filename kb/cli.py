"""The `kb` command.

Exit codes: 0 conforms, 1 findings at or above --fail-on, 2 unreadable input or usage error, 3 an unexpected
error (a fault of kb or of its surroundings, never a result: one line on stderr, the traceback with --debug),
130 interrupted.
"""

from __future__ import annotations

import _thread
import argparse
import signal
import sys
import threading
import time
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
  kb validate data/examples --endpoint http://localhost:7878/query      the checks answered by a SPARQL server

exit codes: 0 conforms, 1 findings found, 2 unreadable input or usage error,
            3 unexpected error (not a result; --debug shows the traceback), 130 interrupted
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kb", description="The Daxing work-style regulation as a knowledge base.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an unexpected error (exit 3), also print the traceback")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check event records against the regulation",
                                   epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files, folders, or - for stdin")
    validate.add_argument("--store", metavar="DIR", help="validate the records loaded into this store (kb load)")
    validate.add_argument("--save-results", action="store_true",
                          help="with --store: keep this run's results in the store, next to the records")
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
    _engine_option(validate)
    _endpoint_options(validate, "validate the records on this SPARQL 1.1 server: they are read and inferred here, "
                                "pushed into a run graph there, checked, and the graph is dropped")

    rules = commands.add_parser("rules", help="every provision's outcome for a situation (an event record)",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    rules.add_argument("paths", nargs="*", metavar="PATH", help="the situation's records (and people, units ...)")
    rules.add_argument("--store", metavar="DIR", help="answer over the records loaded into this store")
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
    ask.add_argument("--store", metavar="DIR", help="query the records and stored results of this store")
    _reading_options(ask)
    _endpoint_options(ask, "run the query on this SPARQL 1.1 server: the knowledge base (with the records given) is "
                           "pushed into a run graph there, queried, and the graph is dropped")
    ask.add_argument("--graph", metavar="IRI",
                     help="with --endpoint: query this graph already on the server instead (as the default graph; "
                          "'default' for the server's default graph); nothing is pushed")

    load = commands.add_parser("load", help="load records into the persistent store (one graph per file)",
                               epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    load.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.ttl .nt .json .jsonld .csv)")
    load.add_argument("--store", default=None, metavar="DIR", help="the store folder (default: ./kb-store)")
    store = commands.add_parser("store", help="look after the persistent store")
    store_commands = store.add_subparsers(dest="store_command", required=True)
    info = store_commands.add_parser("info", help="the graphs, their sizes and where they came from")
    info.add_argument("--store", default=None, metavar="DIR")
    info.add_argument("--format", choices=("text", "json"), default="text")
    drop = store_commands.add_parser("drop", help="remove one graph (a source file's or a run's)")
    drop.add_argument("graph", help="the graph IRI, or the file it was loaded from")
    drop.add_argument("--store", default=None, metavar="DIR")

    serve = commands.add_parser("serve", help="publish the knowledge base: a read-only SPARQL endpoint, a query UI "
                                              "and a page for every IRI")
    serve.add_argument("paths", nargs="*", metavar="PATH", help="records to validate and publish with the rules")
    serve.add_argument("--store", metavar="DIR", help="publish the records loaded into this store (kb load)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="a query running longer is stopped (default: 30)")
    serve.add_argument("--max-rows", type=int, default=10_000, metavar="N",
                       help="answers are capped at N rows or triples (default: 10000)")
    serve.add_argument("--workers", type=int, default=4, metavar="N",
                       help="queries answered at the same time, each in its own process (default: 4)")
    serve.add_argument("--max-memory", default="1GB", metavar="SIZE",
                       help="a query whose worker's resident memory passes SIZE is stopped: 503 (default: 1GB; "
                            "1 MB = 1024 KB)")
    serve.add_argument("--max-bytes", default="50MB", metavar="SIZE",
                       help="an answer that would pass SIZE is stopped: 503, never a partial answer (default: 50MB)")
    serve.add_argument("--queue-wait", type=float, default=10.0, metavar="SECONDS",
                       help="a request finding every worker busy waits this long, then gets 503 with Retry-After "
                            "(default: 10)")
    _reading_options(serve)
    export = commands.add_parser("export", help="write the knowledge base as linked-data dumps with a VoID/DCAT "
                                                "description and a canonical checksum")
    export.add_argument("directory", metavar="DIR", help="the folder to write (created if missing)")
    export.add_argument("paths", nargs="*", metavar="PATH", help="records to validate and include (optional)")
    export.add_argument("--store", metavar="DIR", help="include the records loaded into this store (kb load)")
    export.add_argument("--base-url", metavar="URL",
                        help="where the files and the endpoint will be published (download URLs, void:sparqlEndpoint)")
    _reading_options(export)

    commands.add_parser("settings", help="list the interpretation settings, their alternatives and the profiles")
    cover = commands.add_parser("coverage", help="every constraint with its shapes and test cases, or the reason")
    cover.add_argument("--format", choices=("text", "json"), default="text")

    _debug_option_everywhere(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    interrupt = _Interrupt()
    if args.command != "serve":  # the server stops its workers on Ctrl-C itself
        signal.signal(signal.SIGINT, interrupt)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:  # Ctrl-C: no traceback, and no half-written file (outputs are written atomically)
        interrupt.pending = False
        print("\nkb: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as exc:
        return _crashed(args, exc)


def _debug_option_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept --debug after the command too (`kb validate x --debug`), not only before it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                     help="on an unexpected error (exit 3), also print the traceback")
                _debug_option_everywhere(command)


class _Interrupt:
    """Ctrl-C that is never lost. Python raises KeyboardInterrupt wherever the main thread is, and where that is a
    callback from native code (the reasoner converting terms) the exception is printed as "ignored" and the run goes
    on to exit as if it had found nothing or something. So the first Ctrl-C also starts a thread that raises it again
    every quarter second until `main` has caught one."""

    def __init__(self):
        self.pending = False

    def __call__(self, signum, frame):
        if not self.pending:
            self.pending = True
            threading.Thread(target=self._repeat, daemon=True).start()
        raise KeyboardInterrupt

    def _repeat(self):
        while self.pending:
            time.sleep(0.25)
            if self.pending:
                _thread.interrupt_main()


def _crashed(args, exc: Exception) -> int:
    """An error kb did not expect. Exit 1 means findings, so this is 3: one line saying what failed (the traceback
    only with --debug); a store that cannot be opened as it is is the user's input, exit 2."""
    from kb.records.store import StoreError

    if isinstance(exc, StoreError):
        print(f"kb: {_one_line(exc)}", file=sys.stderr)
        return 2
    if args.debug:
        import traceback

        traceback.print_exception(exc)
    command = " ".join(["kb", args.command] + ([args.store_command] if args.command == "store" else []))
    said = _one_line(exc)
    print(f"{command}: unexpected error, not a result: {type(exc).__name__}{': ' + said if said else ''} "
          "(exit 3; run again with --debug for the traceback)", file=sys.stderr)
    return 3


def _dispatch(args) -> int:
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
    if args.command == "load":
        return _load(args)
    if args.command == "store":
        return _store(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "export":
        return _export(args)
    return 2


def _open_store(args):
    from kb.records.store import DEFAULT_STORE, Store

    return Store(args.store or DEFAULT_STORE)


def _outcome(args, choices):
    """Validate the given paths, or the records of --store; None (after saying why) if neither was given."""
    from kb.checking.pipeline import validate_batch, validate_paths
    from kb.remote.endpoint import EndpointError

    try:
        endpoint = _endpoint(args)
    except ValueError as exc:
        print(f"kb: {_one_line(exc)}", file=sys.stderr)
        return None
    if endpoint is not None:
        if getattr(args, "store", None):
            print("kb: --endpoint validates the record files given on the server; it cannot be combined with "
                  "--store (the local store)", file=sys.stderr)
            return None
        if args.engine != "fast":
            print("kb: --endpoint runs the compiled checks on the server; it cannot be combined with "
                  f"--engine {args.engine}", file=sys.stderr)
            return None
        if not args.paths:
            print("kb: give record files or folders to validate on the endpoint", file=sys.stderr)
            return None
        if _cannot_push(endpoint):
            print(_cannot_push(endpoint), file=sys.stderr)
            return None
        from kb.remote.pushdown import validate_on_endpoint

        try:
            return validate_on_endpoint(args.paths, endpoint, choices)
        except EndpointError as exc:
            print(f"kb: {_one_line(exc)}", file=sys.stderr)
            return None
    progress = _progress_bar()
    if getattr(args, "store", None):
        store = _open_store(args)
        if not store.exists():
            print(f"kb: {store.path}: no store there yet (kb load PATH --store {store.path})", file=sys.stderr)
            return None
        if args.paths:
            print("kb: give record paths or --store, not both (kb load adds files to the store)", file=sys.stderr)
            return None
        return validate_batch(store.batch(), choices, engine=args.engine, progress=progress)
    if not args.paths:
        print("kb: give record files or folders, or --store DIR", file=sys.stderr)
        return None
    return validate_paths(args.paths, choices=choices, engine=args.engine, progress=progress)


def _load(args) -> int:
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from kb.records.load import read
    from kb.records.store import StoreError

    batch = read(args.paths)
    store = _open_store(args)
    try:
        loaded = store.load(batch)
    except (StoreError, OSError) as exc:
        print(f"kb: {exc}; the store is unchanged", file=sys.stderr)
        return 2
    records = sum(len({s for s in g.subjects(RDF.type) if isinstance(s, URIRef)}) for g in batch.graphs.values())
    for info in loaded:
        print(f"loaded   {info.source}  ({info.triples} triples, sha256 {info.sha256[:12]}…)")
    for error in batch.errors:
        print(f"rejected {error}", file=sys.stderr)
    print(f"{len(loaded)} file(s) loaded into {store.path}, {len(batch.errors)} rejected record(s) or file(s)"
          + f"; {records} record(s)")
    return 2 if batch.errors else 0


def _store(args) -> int:
    import json

    from kb.records.store import source_graph

    store = _open_store(args)
    if args.store_command == "info":
        if not store.exists():
            print(f"kb: {store.path}: no store there yet", file=sys.stderr)
            return 2
        graphs = store.info()
        if args.format == "json":
            print(json.dumps([g.__dict__ for g in graphs], ensure_ascii=False, indent=2))
            return 0
        print(f"{store.path} (version {store.current().name}): {len(graphs)} graph(s)")
        for g in graphs:
            print(f"  {g.graph}\n      {g.triples} triples" + (f", from {g.source}, sha256 {g.sha256}, loaded "
                                                               f"{g.loaded} by {g.loader}" if g.source else ""))
        return 0
    graph = args.graph if "://" in args.graph else str(source_graph(args.graph))
    if not store.exists() or not store.drop(graph):
        print(f"kb: {store.path}: no graph {graph}", file=sys.stderr)
        return 2
    print(f"dropped {graph}")
    return 0


def _reading_options(parser) -> None:
    parser.add_argument("--profile", default="default", help="interpretation profile (see `kb settings`)")
    parser.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                        help="choose one setting's alternative")
    _engine_option(parser)


def _endpoint_options(parser, what: str) -> None:
    parser.add_argument("--endpoint", metavar="URL", help=f"{what} (the query URL, e.g. http://host:7878/query)")
    parser.add_argument("--update-endpoint", metavar="URL",
                        help="with --endpoint: its SPARQL Update URL (guessed only for Oxigraph's /query and "
                             "Fuseki's /<dataset>/query)")
    parser.add_argument("--store-endpoint", metavar="URL",
                        help="with --endpoint: its Graph Store Protocol URL (guessed likewise)")


def _endpoint(args, graph: str | None = None):
    """The --endpoint server (its queries scoped to `graph`), or None; ValueError for a URL that cannot be used."""
    if not getattr(args, "endpoint", None):
        if getattr(args, "update_endpoint", None) or getattr(args, "store_endpoint", None):
            raise ValueError("--update-endpoint and --store-endpoint go with --endpoint URL")
        return None
    from kb.remote.endpoint import Endpoint

    return Endpoint(args.endpoint, update_url=args.update_endpoint, store_url=args.store_endpoint, graph=graph)


def _cannot_push(endpoint) -> str | None:
    """Why records cannot be pushed to the server (no Graph Store URL known), or None."""
    if endpoint.store_url is not None:
        return None
    return (f"kb: cannot tell the Graph Store Protocol URL of {endpoint.query_url} (it is guessed for Oxigraph's "
            "/query and Fuseki's /<dataset>/query only): give --store-endpoint URL, and --update-endpoint URL")


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _engine_option(parser) -> None:
    parser.add_argument("--engine", choices=("fast", "pyshacl"), default="fast",
                        help="SHACL engine: shapes compiled to SPARQL on Oxigraph (fast, default) or the reference "
                             "pySHACL; both give the same results")


def _record_iri(text: str) -> str:
    from kb.namespaces import DXD

    return text if "://" in text else str(DXD[text])


def _report_input_errors(outcome) -> None:
    for error in outcome.errors:
        print(f"kb: {error}", file=sys.stderr)


def _rules(args) -> int:
    import json

    from rdflib import URIRef

    from kb.asking.rules import rules_for
    from kb.reasoning.readings import SettingError
    from kb.reports.rules_report import as_text

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    outcome = _outcome(args, choices)
    if outcome is None:
        return 2
    rules = rules_for(outcome, [URIRef(_record_iri(args.record))] if args.record else None)
    _report_input_errors(outcome)
    if not rules:
        print("kb: no record found that a rule speaks about (give --record, or records of type Meeting, Document, "
              "BulletinIssue ...)", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rules], ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(as_text(rules, show_not_applicable=args.all))
    return 2 if outcome.errors else 0


def _explain(args) -> int:
    from kb.asking.explain import explain
    from kb.checking.pipeline import validate_paths
    from kb.reasoning.readings import SettingError

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    outcome = validate_paths(args.paths, choices=choices, engine=args.engine)
    _report_input_errors(outcome)
    record = _record_iri(args.record)
    sys.stdout.write(explain(outcome, record))
    return 2 if outcome.errors else 0


def _query(args) -> int:
    from rdflib import Graph

    from kb.asking import query
    from kb.asking.rules import parts
    from kb.checking.results import results_graph
    from kb.reasoning.readings import SettingError

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
        on_server = args.graph if args.graph not in (None, "default") else None
        endpoint = _endpoint(args, graph=on_server)
    except (SettingError, query.QueryError, ValueError) as exc:
        print(f"kb: {_one_line(exc) if isinstance(exc, ValueError) else exc}", file=sys.stderr)
        return 2
    if args.graph is not None:
        if endpoint is None:
            print("kb: --graph names a graph on a server: give --endpoint URL too", file=sys.stderr)
            return 2
        if args.paths or args.store or args.results:
            print("kb: --graph queries a graph already on the server: records, --store and --results are not "
                  "pushed with it", file=sys.stderr)
            return 2
        return _answer_on_endpoint(args, endpoint, asked, values, None)
    if endpoint is not None and args.store:
        print("kb: --endpoint pushes the records given to the server; it cannot be combined with --store "
              "(the local store)", file=sys.stderr)
        return 2
    if endpoint is not None and _cannot_push(endpoint):
        print(_cannot_push(endpoint), file=sys.stderr)
        return 2
    if endpoint is not None:  # before the knowledge base is built: a server that is not there is said at once
        from kb.remote.endpoint import EndpointError
        from kb.remote.pushdown import reachable

        try:
            reachable(endpoint)
        except EndpointError as exc:
            print(f"kb: {_one_line(exc)}", file=sys.stderr)
            return 2
    data = inferred = results = None
    status = 0
    if args.paths or args.store:
        outcome = _outcome(args, choices)
        if outcome is None:
            return 2
        _report_input_errors(outcome)
        status = 2 if outcome.errors else 0
        data, inferred, results = outcome.batch.union(), outcome.inferred, results_graph(outcome)
        data += parts(data)
        if args.store:
            results += _open_store(args).results()
    for path in args.results:
        earlier = Graph()
        try:
            earlier.parse(path, format="turtle")
        except Exception as exc:
            print(f"kb: {path}: not a Turtle results file: {exc}", file=sys.stderr)
            return 2
        results = earlier if results is None else results + earlier
    graph = query.knowledge_graph(data, inferred, results, choices)
    if endpoint is not None:
        return _answer_on_endpoint(args, endpoint, asked, values, graph) or status
    try:
        sys.stdout.write(query.render(query.run(graph, asked, values), args.format))
    except query.QueryError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    return status


def _answer_on_endpoint(args, endpoint, asked, values, graph) -> int:
    """Run the query on the server (pushing `graph` into a run graph, unless None) and print the answer."""
    from kb.asking import query
    from kb.remote.endpoint import EndpointError
    from kb.remote.pushdown import query_on_endpoint

    try:
        answer = query_on_endpoint(endpoint, asked, values, knowledge=graph)
    except query.QueryError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    except EndpointError as exc:
        print(f"kb: {_one_line(exc)}", file=sys.stderr)
        return 2
    sys.stdout.write(query.render(answer, args.format))
    return 0


def _published(args, location=None):
    """The dataset to publish: the knowledge base, with the records given (validated) if any; None after saying
    why if it cannot be built. Records that cannot be read are reported and left out, as in kb validate."""
    from kb.publishing.dataset import build
    from kb.reasoning.readings import SettingError

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return None
    outcome = None
    if args.paths or args.store:
        outcome = _outcome(args, choices)
        if outcome is None:
            return None
        _report_input_errors(outcome)
    return build(outcome, choices, location=location)


def _serve(args) -> int:
    from kb.publishing.serve import Settings, dataset_folder, parse_size, run

    if args.timeout <= 0 or args.max_rows < 1 or args.workers < 1 or args.queue_wait < 0:
        print("kb: --timeout, --max-rows and --workers must be positive, --queue-wait not negative", file=sys.stderr)
        return 2
    try:
        max_memory, max_bytes = parse_size(args.max_memory), parse_size(args.max_bytes)
    except ValueError as exc:
        print(f"kb: --max-memory, --max-bytes: {exc}", file=sys.stderr)
        return 2
    if max_memory < 1 or max_bytes < 1:
        print("kb: --max-memory and --max-bytes must be positive", file=sys.stderr)
        return 2
    with dataset_folder() as location:
        published = _published(args, location)
        if published is None:
            return 2
        try:
            run(published, location, args.host, args.port,
                Settings(args.timeout, args.max_rows, args.workers, max_memory, max_bytes, args.queue_wait))
        except SystemExit:  # uvicorn exits after logging why it could not listen (a port in use, say)
            print(f"kb: cannot serve on {args.host}:{args.port}", file=sys.stderr)
            return 2
    return 0


def _export(args) -> int:
    from pathlib import Path

    from kb.publishing.export import export

    directory = Path(args.directory)
    unwritable = _unwritable(directory)
    if unwritable:  # said before the dataset is built, which takes a while
        print(f"kb: cannot export to {directory}: {unwritable}; nothing was written", file=sys.stderr)
        return 2
    published = _published(args)
    if published is None:
        return 2
    try:
        written = export(published, directory, base_url=args.base_url)
    except OSError as exc:  # the folder's files are written whole or not at all (kb.files.Staging)
        print(f"kb: cannot export to {directory}: {exc.strerror or _one_line(exc)}; no file was written or "
              "replaced", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 2 if published.errors else 0


def _unwritable_file(path: str) -> str | None:
    """Why a file cannot be written at `path` (a folder is in the way, or its folder is missing), or None."""
    from pathlib import Path

    target = Path(path)
    if target.is_dir():
        return "it is a folder"
    if not target.absolute().parent.is_dir():
        return f"there is no folder {target.absolute().parent}"
    return None


def _written(option: str, path: str, text: str) -> bool:
    """Write `text` whole or not at all; say in one line why not (exit 2: the output is the user's input)."""
    from kb.files import write_atomically

    try:
        write_atomically(path, text)
    except OSError as exc:
        print(f"kb: cannot write {option} {path}: {exc.strerror or _one_line(exc)}; nothing was written",
              file=sys.stderr)
        return False
    return True


def _unwritable(directory) -> str | None:
    """Why files cannot be written into `directory` (a file is in the way, or its nearest existing folder is not
    writable), or None."""
    import os

    existing = directory.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing}: permission denied"
    return None


def _coverage(args) -> int:
    import json

    from kb.asking import coverage

    rows = coverage.coverage()
    if args.format == "json":
        print(json.dumps(coverage.as_json(rows), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(coverage.as_text(rows))
    return 0


def _choices(args):
    from kb.reasoning.readings import SettingError, resolve

    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise SettingError(f"--set takes SETTING=VALUE, got {item!r}")
        overrides[name.strip()] = value.strip()
    return resolve(args.profile, overrides)


def _settings() -> int:
    from kb.reasoning import readings

    for name, setting in sorted(readings.settings().items()):
        default = next(c for c in readings.resolve() if c.setting == name)
        print(f"{name}: {readings.label(setting, 'en')}")
        for value, alternative in sorted(readings.alternatives(setting).items()):
            mark = "*" if alternative == default.iri else " "
            print(f"  {mark} {value:<22} {readings.label(alternative, 'en')} / {readings.label(alternative, 'zh')}")
    print("\nprofiles: " + ", ".join(sorted(readings.profiles())) + "   (* = default)")
    return 0


def _progress_bar():
    """A one-line progress of the compiled checks on a terminal; nothing when stderr is piped or a file."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, shape) -> None:
        name = str(shape).rsplit("/", 1)[-1][:48]
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r\x1b[Kchecking [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name}")
        if done == total:
            sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
    return show


def _validate(args) -> int:
    from datetime import datetime

    from kb.reasoning.readings import SettingError
    from kb.reports.formats import FORMATS

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    for option, target in (("-o", args.output), ("--results", args.results)):
        unwritable = _unwritable_file(target) if target and target != "-" else None
        if unwritable:  # said before the records are validated, which takes a while
            print(f"kb: cannot write {option} {target}: {unwritable}", file=sys.stderr)
            return 2
    started = datetime.now(UTC)
    outcome = _outcome(args, choices)
    if outcome is None:
        return 2
    text = FORMATS[args.format](outcome)
    if args.explain and args.format == "text":
        from kb.asking.explain import explain

        text += "".join(explain(outcome, record) for record in sorted({f.record for f in outcome.findings}))
    if args.results or args.save_results:
        from kb.checking.results import new_run, results_graph

        run = new_run()
        results = results_graph(outcome, run=run, started=started)
        if args.results and not _written("--results", args.results, results.serialize(format="turtle")):
            return 2
        if args.save_results and args.store:
            _open_store(args).save_results(run, results)
    if args.output == "-":
        sys.stdout.write(text)
    elif not _written("-o", args.output, text):
        return 2
    if outcome.errors:
        for error in outcome.errors:
            print(f"kb: {error}", file=sys.stderr)
        return 2
    rank = {"info": 0, "warning": 1, "violation": 2}
    worst = max((rank[f.severity.lower()] for f in outcome.findings), default=-1)
    return 1 if worst >= rank[args.fail_on] else 0


if __name__ == "__main__":
    sys.exit(main())
