"""The `kb` command: its argument table, and what happens on Ctrl-C or an unexpected error.

What each subcommand does is in kb.commands; this module reads the arguments and hands them over.

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

from kb import __version__
from kb.commands import one_line, run

# kb.checking.partitions.DEFAULT_SIZE (a test keeps them equal), not imported: `kb --help` starts without rdflib
DEFAULT_PARTITION = 500

EPILOG = """examples:
  kb validate data/examples                      validate the bundled sample records
  kb validate meeting.json --format json         one file, machine-readable
  kb validate data/examples --format html -o report.html    a page to open in a browser (works offline)
  cat records.ttl | kb validate - --fail-on warning
  kb validate meetings/ --profile broad          read the caps as widely as the text allows
  kb validate m.json --set P_A08_45_scope=allMeetings
  kb settings                                    list the interpretation settings
  kb infer-rules --profile broad > rules.rq      the inference rules compiled from the ontology, to read or diff
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
    validate.add_argument("--partition-size", type=_count, default=DEFAULT_PARTITION, metavar="N",
                          help="validate a large batch in partitions of about N records, in parallel, to the same "
                               f"findings in bounded memory (text, json, turtle; default {DEFAULT_PARTITION}; "
                               "0: one run over the whole batch)")
    validate.add_argument("--jobs", type=_count, default=0, metavar="N",
                          help="processes validating partitions at once (default: one per core)")
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
    infer_rules = commands.add_parser("infer-rules", help="the OWL 2 RL rules compiled from the ontology, as SPARQL, "
                                                          "in the order they run")
    infer_rules.add_argument("--profile", default="default", help="interpretation profile (see `kb settings`)")
    infer_rules.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE",
                             help="choose one setting's alternative")
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
        return run(args)
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
        print(f"kb: {one_line(exc)}", file=sys.stderr)
        return 2
    if args.debug:
        import traceback

        traceback.print_exception(exc)
    command = " ".join(["kb", args.command] + ([args.store_command] if args.command == "store" else []))
    said = one_line(exc)
    print(f"{command}: unexpected error, not a result: {type(exc).__name__}{': ' + said if said else ''} "
          "(exit 3; run again with --debug for the traceback)", file=sys.stderr)
    return 3


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


def _count(text: str) -> int:
    """A whole number, 0 or more (argparse names the option when this raises)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _engine_option(parser) -> None:
    parser.add_argument("--engine", choices=("fast", "pyshacl"), default="fast",
                        help="SHACL engine: shapes compiled to SPARQL on Oxigraph (fast, default) or the reference "
                             "pySHACL; both give the same results")


if __name__ == "__main__":
    sys.exit(main())
