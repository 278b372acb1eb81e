"""`kb serve`: the knowledge base published over HTTP, read-only.

    /sparql                 SPARQL 1.1 Protocol query endpoint (GET, POST form or direct); without a query,
                            its service description (or, for a browser, the query UI)
    /                       the query UI (YASGUI, vendored, works offline), preloaded with the library queries
    /queries.json           the library queries
    /catalogue              the rules catalogue, one page per article at /catalogue/article/N
    /{kind}/...             our IRIs (https://w3id.org/daxing-zuofeng/{kind}/...): 303 See Other to the page
                            (HTML) or the data (Turtle, JSON-LD, N-Triples, RDF/XML) by Accept (W3C Cool URIs)
    /page/... /data/....ttl the documents about an IRI
    /context.jsonld         our JSON-LD context

Queries run in worker processes (kb.publishing.workers) under a time limit, a memory limit, a row cap and a byte cap,
after kb.publishing.answers has checked them; a request waits a bounded time for a free worker. Pages are read from the
same dataset, opened read-only in this process. HEAD is answered wherever GET is.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from kb import resources
from kb.namespaces import BASE
from kb.publishing import answers
from kb.publishing.dataset import Published
from kb.publishing.workers import Pool

WEB = Path(__file__).resolve().parent / "web"
IRI_KINDS = ("ontology", "vocab", "provision", "shape", "calendar", "id", "graph")
DOCUMENT_SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
                     ".rdf": "application/rdf+xml"}
SUFFIX_OF = {media: suffix for suffix, media in DOCUMENT_SUFFIXES.items()}
MAX_QUERY_BYTES = 1_000_000
# Sent with every HTML page, on top of the policy in its <meta> tag, which cannot say frame-ancestors: no other
# site may frame a page (clickjacking), nor give it a base URL or a plug-in
HTML_POLICY = "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"
SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20,
              "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


@dataclass(frozen=True)
class Settings:
    """How the server was asked to run: a query's time limit, the row cap, how many queries run at once, each
    worker's memory limit, each answer's byte cap, and how long a request waits for a free worker."""

    seconds: float = 30.0
    max_rows: int = 10_000
    workers: int = 4
    max_memory: int = 1 << 30
    max_bytes: int = 50 << 20
    queue_wait: float = 10.0


def parse_size(text: str) -> int:
    """'200MB', '1GB', '1.5g', '4096' as bytes (binary units: 1 MB = 1024 * 1024 bytes); ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not found or found.group(2).lower() not in SIZE_UNITS:
        raise ValueError(f"{text!r} is not a size such as 200MB or 1GB")
    return int(float(found.group(1)) * SIZE_UNITS[found.group(2).lower()])


def create_app(location: str, settings: Settings) -> FastAPI:
    """The web application over the dataset stored (and closed) at `location`."""
    store = ox.Store.read_only(location)
    graphs = sorted(node.value for node in store.named_graphs())
    sizes = {graph: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))) for graph in graphs}
    pool = Pool(location, graphs, settings.workers, settings.seconds, settings.max_rows,
                max_bytes=settings.max_bytes, max_memory=settings.max_memory, queue_wait=settings.queue_wait)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await pool.start()
        yield
        pool.stop()

    app = FastAPI(title="大兴区政府办公室作风建设规定知识库 / Daxing work-style regulation KB", lifespan=lifespan,
                  docs_url="/api", redoc_url=None)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    # Read-only and without credentials, so any web page may query it, as public SPARQL endpoints allow
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Accept", "Content-Type"], expose_headers=["X-KB-Rows-Capped"])

    @app.middleware("http")  # added after CORS, so it runs outside it and sees the headers CORS added
    async def careful_headers(request: Request, call_next) -> Response:
        """No content sniffing (an answer is only what its type says) and no referrer sent to other sites; an
        HTML page may not be framed elsewhere, nor read by another site's scripts (CORS is for the data)."""
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = HTML_POLICY
            response.headers["X-Frame-Options"] = "DENY"
            for name in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
                if name in response.headers:
                    del response.headers[name]
        return response

    app.add_middleware(_HeadAsGet)

    @app.api_route("/sparql", methods=["GET", "POST"])
    async def sparql(request: Request) -> Response:
        asked = await _protocol_request(request)
        if isinstance(asked, Response):
            return asked
        if asked is None:
            return _service_description(request, sizes, settings)
        answered = await pool.ask(asked)
        headers = {"Vary": "Accept"}
        if answered.truncated:
            headers["X-KB-Rows-Capped"] = str(settings.max_rows)
        if answered.retry_after is not None:
            headers["Retry-After"] = str(answered.retry_after)
        return Response(answered.body, status_code=answered.status, media_type=answered.media_type,
                        headers=headers)

    @app.get("/")
    def index() -> FileResponse:
        return FileResponse(WEB / "static" / "index.html", media_type="text/html")

    @app.get("/queries.json")
    def queries() -> JSONResponse:
        from kb.asking.query import library

        return JSONResponse([{"name": q.name, "summary": q.summary, "text": q.text,
                              "params": [{"name": p.name, "type": p.type, "required": p.required} for p in q.params]}
                             for q in library().values()])

    @app.get("/context.jsonld")
    def context() -> FileResponse:
        return FileResponse(resources.CONTEXT_FILE, media_type="application/ld+json")

    @app.get("/catalogue")
    def catalogue() -> HTMLResponse:
        from kb.publishing import pages

        return HTMLResponse(pages.catalogue_page(store))

    @app.get("/catalogue/article/{number}")
    def article(number: int) -> Response:
        from kb.publishing import pages

        page = pages.article_page(store, number)
        return HTMLResponse(page) if page is not None else _not_found(f"there is no article {number}")

    @app.get("/page/{path:path}")
    def page(path: str) -> Response:
        from kb.publishing import pages

        found = pages.resource_page(store, BASE + path)
        return HTMLResponse(found) if found is not None else _not_found(f"nothing is known about <{BASE + path}>")

    @app.get("/data/{path:path}")
    def data(path: str) -> Response:
        from kb.publishing import pages

        stem, suffix = _split_suffix(path)
        if suffix not in DOCUMENT_SUFFIXES:
            return _not_found(f"/data/ documents end in {', '.join(DOCUMENT_SUFFIXES)}")
        iri = BASE + stem
        media = DOCUMENT_SUFFIXES[suffix]
        if iri in graphs:  # a graph's name: the document is the graph itself
            quads = store.quads_for_pattern(None, None, None, ox.NamedNode(iri))
        elif pages.exists(store, iri):
            quads = pages.describe(store, iri)
        else:
            return _not_found(f"nothing is known about <{iri}>")
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return Response(answers.serialise_triples(triples, media), media_type=media)

    @app.get("/{kind}/{rest:path}")
    def thing(kind: str, rest: str, request: Request) -> Response:
        """An IRI of ours names a thing, not a document: 303 to the document the client can read."""
        from kb.publishing import pages

        if kind not in IRI_KINDS:
            return _not_found(f"/{kind}/ is not a kind of IRI here; ours are /{', /'.join(IRI_KINDS)}/")
        path = f"{kind}/{rest}"
        is_graph = BASE + path in graphs
        if not is_graph and not pages.exists(store, BASE + path):
            return _not_found(f"nothing is known about <{BASE + path}>")
        pages_too = () if is_graph else ("text/html",)  # a graph is only data; its triples have their own pages
        media = answers.negotiate(request.headers.get("accept"), (*pages_too, *DOCUMENT_SUFFIXES.values()))
        if media is None:
            return PlainTextResponse("this resource is described as text/html, " + ", ".join(DOCUMENT_SUFFIXES.values())
                                     + "\n", status_code=406)
        target = f"/page/{path}" if media == "text/html" else f"/data/{path}{SUFFIX_OF[media]}"
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})

    return app


class _HeadAsGet:
    """HEAD is GET without the body (RFC 9110, 9.3.2); FastAPI's routes answer only the methods they name."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _split_suffix(path: str) -> tuple[str, str]:
    for suffix in DOCUMENT_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)], suffix
    return path, ""


NOT_FOUND_ECHO = 300  # characters of the asked-for path a 404 repeats: enough to see a typo, not a 60 KB echo


def _not_found(message: str) -> PlainTextResponse:
    if len(message) > NOT_FOUND_ECHO:
        message = message[:NOT_FOUND_ECHO] + "… (cut)"
    return PlainTextResponse(message + "\n", status_code=404)


async def _protocol_request(request: Request) -> answers.Request | Response | None:
    """The query a request carries (SPARQL 1.1 Protocol), None if it carries none, or a refusal."""
    fields = parse_qs(request.url.query, keep_blank_values=True)
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_QUERY_BYTES:
            return PlainTextResponse(f"a query is at most {MAX_QUERY_BYTES} bytes here\n", status_code=413)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            return _read_only()
        if kind == "application/sparql-query":
            fields.setdefault("query", []).append(body.decode("utf-8", errors="replace"))
        elif kind == "application/x-www-form-urlencoded":
            for name, values in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items():
                fields.setdefault(name, []).extend(values)
        else:
            return PlainTextResponse("POST a query as application/x-www-form-urlencoded (query=...) or as "
                                     "application/sparql-query\n", status_code=415)
    if "update" in fields:
        return _read_only()
    queries = fields.get("query", [])
    if not queries:
        return None
    if len(queries) > 1:
        return PlainTextResponse("give exactly one query\n", status_code=400)
    return answers.Request(queries[0], tuple(fields.get("default-graph-uri", ())),
                           tuple(fields.get("named-graph-uri", ())), request.headers.get("accept") or "*/*",
                           (fields.get("format") or [None])[0])


def _read_only() -> PlainTextResponse:
    return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", status_code=403)


def _service_description(request: Request, sizes: dict[str, int], settings: Settings) -> Response:
    """SPARQL 1.1 Service Description, or the query UI for a browser."""
    media = answers.negotiate(request.headers.get("accept"), ("text/turtle", *DOCUMENT_SUFFIXES.values(),
                                                              "text/html"))
    if media == "text/html":
        return RedirectResponse("/", status_code=303)
    if media is None:
        return PlainTextResponse("the service description is text/turtle, application/ld+json, "
                                 "application/n-triples or application/rdf+xml\n", status_code=406)
    endpoint = str(request.url_for("sparql"))
    lines = [
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix formats: <http://www.w3.org/ns/formats/> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        f"<{endpoint}> a sd:Service ;",
        f"  sd:endpoint <{endpoint}> ;",
        "  sd:supportedLanguage sd:SPARQL11Query ;",
        "  sd:feature sd:UnionDefaultGraph ;",
        "  sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,",
        "    formats:SPARQL_Results_TSV, formats:Turtle, formats:JSON-LD, formats:N-Triples, formats:RDF_XML ;",
        '  dct:description "Read-only. SERVICE and graphs from elsewhere are refused; each query has a time limit '
        f'of {settings.seconds:g} s and a memory limit of {answers.shown_size(settings.max_memory)}; answers are '
        f'capped at {settings.max_rows} rows and {answers.shown_size(settings.max_bytes)}."@en ;',
        "  sd:defaultDataset [ a sd:Dataset ;",
        f"    sd:defaultGraph [ a sd:Graph ; void:triples {sum(sizes.values())} ] ;",
    ]
    for graph, size in sizes.items():
        lines.append(f"    sd:namedGraph [ a sd:NamedGraph ; sd:name <{graph}> ; "
                     f"sd:graph [ a sd:Graph ; void:triples {size} ] ] ;")
    lines.append("  ] .")
    graph = ox.parse("\n".join(lines) + "\n", format=ox.RdfFormat.TURTLE)
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#",
                "formats": "http://www.w3.org/ns/formats/"}
    return Response(answers.serialise_triples(list(graph), media, prefixes), media_type=media,
                    headers={"Vary": "Accept"})


def run(published: Published, location: Path, host: str, port: int, settings: Settings) -> None:
    """Serve the dataset written at `location` until interrupted."""
    import uvicorn

    sizes = sum(published.sizes.values())
    published.store = None  # the workers open the folder read-only: this process closes its writable handle
    app = create_app(str(location), settings)
    shown = f"[{host}]" if ":" in host else host
    print(f"kb: serving {sizes:,} triples in {len(published.sizes)} graphs at http://{shown}:{port}/ "
          f"(SPARQL at /sparql; Ctrl-C stops)", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextlib.contextmanager
def dataset_folder():
    """A temporary folder for the served store, removed when the server stops."""
    folder = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    try:
        yield folder / "store"
    finally:
        shutil.rmtree(folder, ignore_errors=True)

