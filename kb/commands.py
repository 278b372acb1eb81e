"""What each `kb` subcommand does, given the arguments kb.cli has read (one function a subcommand).

Every step of the pipeline is imported inside the function that needs it, so `kb --help` and a short command stay
quick to start.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC


def run(args) -> int:
    if args.command == "validate":
        return _validate(args)
    if args.command == "settings":
        return _settings()
    if args.command == "infer-rules":
        return _infer_rules(args)
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
        print(f"kb: {one_line(exc)}", file=sys.stderr)
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
            print(f"kb: {one_line(exc)}", file=sys.stderr)
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
        if _partitioned(args):
            from kb.checking.partitions import validate_in_partitions

            return validate_in_partitions(graphs=store.graphs(), choices=choices, engine=args.engine,
                                          size=args.partition_size, jobs=args.jobs,
                                          progress=_progress_bar("validating partitions"), whole_progress=progress)
        return validate_batch(store.batch(), choices, engine=args.engine, progress=progress)
    if not args.paths:
        print("kb: give record files or folders, or --store DIR", file=sys.stderr)
        return None
    if _partitioned(args):
        from kb.checking.partitions import validate_in_partitions

        return validate_in_partitions(args.paths, choices=choices, engine=args.engine, size=args.partition_size,
                                      jobs=args.jobs, progress=_progress_bar("validating partitions"),
                                      whole_progress=progress)
    return validate_paths(args.paths, choices=choices, engine=args.engine, progress=progress)


def _partitioned(args) -> bool:
    """Whether `kb validate` may cut the batch into partitions: its report needs only the findings and counts."""
    return (args.command == "validate" and args.partition_size > 0 and args.format in ("text", "json", "turtle")
            and not (args.explain or args.results or args.save_results))


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


def one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


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
        print(f"kb: {one_line(exc) if isinstance(exc, ValueError) else exc}", file=sys.stderr)
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
            print(f"kb: {one_line(exc)}", file=sys.stderr)
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
        print(f"kb: {one_line(exc)}", file=sys.stderr)
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
        print(f"kb: cannot export to {directory}: {exc.strerror or one_line(exc)}; no file was written or "
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
        print(f"kb: cannot write {option} {path}: {exc.strerror or one_line(exc)}; nothing was written",
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


def _infer_rules(args) -> int:
    from kb.reasoning import compiled_sparql, infer
    from kb.reasoning.readings import SettingError

    try:
        choices = _choices(args)
    except SettingError as exc:
        print(f"kb: {exc}", file=sys.stderr)
        return 2
    title = "".join([f"profile {args.profile}", *(f"\n#   {c.describe()}" for c in choices if not c.is_default)])
    sys.stdout.write(compiled_sparql.render(infer.compiled_rules(choices), title))
    return 0


def _progress_bar(label: str = "checking"):
    """A one-line progress (of the compiled checks, or of the partitions) on a terminal; nothing when stderr is
    piped or a file."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, shape=None) -> None:
        name = "" if shape is None else " " + str(shape).rsplit("/", 1)[-1][:48]
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r\x1b[K{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{name}")
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
    if outcome.partitions > 1:
        print(f"kb: validated in {outcome.partitions} partitions of about {args.partition_size} records, "
              f"{args.jobs or os.cpu_count()} at a time", file=sys.stderr)
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
