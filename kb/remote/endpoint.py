"""A client for a remote SPARQL 1.1 server: queries by the SPARQL 1.1 Protocol, loads by the Graph Store Protocol.

The batch validator pushes its compiled SELECT queries down to such a server (Oxigraph server, Fuseki, GraphDB,
QLever, Virtuoso) instead of an embedded store. A run's data lives in one named graph, and every query sees that
graph as its default graph through the protocol's ``default-graph-uri``, so the queries are never rewritten:

    ep = Endpoint("http://127.0.0.1:7878/query", graph="urn:run:42")
    ep.replace_ntriples(data)                     # the run's graph holds exactly `data`
    names, rows = ep.select("SELECT ?s WHERE { ?s a <http://example.org/Meeting> }")
    ep.drop()

HTTP goes through the standard library (urllib), so the client adds no dependency. What it guards against:

* Only http and https URLs. Redirects are never followed: a 3xx answer is an error naming where it pointed, so
  a query (and its credentials) can never be sent on to another host, and a POST is never turned into a GET.
* Credentials written in a URL (``https://user:password@host/...``) are sent as HTTP Basic authentication to
  that URL only and never appear in a message or a ``repr``.
* A large load goes as several requests of whole lines (8 MiB by default), so neither side holds one huge
  request. Servers scope blank-node labels to one request (Oxigraph and Jena do), so the lines that share a
  blank node are kept in the same request. A load of several requests is first parsed locally (pyoxigraph,
  already a dependency), so a syntax error is reported with its line in the whole input and nothing is sent.
  A load that fails on the server part-way is not undone: the error says how many requests arrived.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
CHUNK_BYTES = 8 * 1024 * 1024
MESSAGE_CHARS = 500

# An absolute IRI as SPARQL's IRIREF allows it: a graph name is put into a SPARQL update between < and >.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")
# In an N-Triples line: an IRI, a literal, or a blank node label. Skipping IRIs and literals means a "_:" inside
# them is never taken for a label; a label cannot hold whitespace, <, >, ", (, ), # and cannot end with a dot.
_NT_TOKEN = re.compile(rb'<[^>]*>|"(?:[^"\\]|\\.)*"|_:([^\s<>"()#]+)')


class Layout(NamedTuple):
    """Where a known server puts its services, relative to the query URL's folder."""

    server: str
    query: tuple[str, ...]  # the last path segment(s) of the query URL
    update: str
    store: str
    dataset_segment: bool  # True: the services live under /<dataset>/ (Fuseki); False: at the root (Oxigraph)


LAYOUTS: tuple[Layout, ...] = (
    Layout("Oxigraph server", ("query",), "update", "store", dataset_segment=False),
    Layout("Fuseki", ("query", "sparql"), "update", "data", dataset_segment=True),
)


class EndpointError(RuntimeError):
    """A request to the SPARQL server failed: the URL (without credentials), the HTTP status, the server's words."""

    def __init__(self, message: str, url: str = "", status: int | None = None, server_message: str = ""):
        super().__init__(message)
        self.url = url
        self.status = status
        self.server_message = server_message


@dataclass(frozen=True)
class _Target:
    """A URL split into what is sent (without credentials) and the Authorization header built from them."""

    url: str
    authorization: str | None
    loopback: bool


def redact(url: str) -> str:
    """The URL with any ``user:password@`` removed, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _target(url: str, role: str) -> _Target:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as e:
        raise ValueError(f"the {role} URL is not a URL: {redact(url)} ({e})") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the {role} URL must be http or https, not {parts.scheme or 'a relative URL'}: {redact(url)}")
    if not parts.hostname:
        raise ValueError(f"the {role} URL names no host: {redact(url)}")
    if parts.query or parts.fragment:
        raise ValueError(f"the {role} URL must have no ?query or #fragment: {redact(url)}")
    authorization = None
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return _Target(redact(url), authorization, _is_loopback(parts.hostname))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def derive_urls(query_url: str) -> tuple[str | None, str | None]:
    """The update and Graph Store URLs of a query URL of a known layout (see LAYOUTS), or (None, None).

    Oxigraph server answers at the root: ``/query``, ``/update``, ``/store``. Fuseki answers under the dataset:
    ``/ds/query`` or ``/ds/sparql``, ``/ds/update``, ``/ds/data``. A path of one segment is Oxigraph's, a path
    with a folder is Fuseki's; anything else (an Oxigraph behind a path prefix, Virtuoso, GraphDB, QLever) must
    be given its URLs explicitly.
    """
    parts = urllib.parse.urlsplit(query_url)
    folder, _, last = parts.path.rstrip("/").rpartition("/")
    for layout in LAYOUTS:
        if last in layout.query and bool(folder) == layout.dataset_segment:
            update, store = (urllib.parse.urlunsplit(parts._replace(path=f"{folder}/{name}"))
                             for name in (layout.update, layout.store))
            return update, store
    return None, None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every 3xx into an error: a query is never sent on somewhere the caller did not name."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        fp.close()
        raise EndpointError(
            f"{req.get_method()} {redact(req.full_url)}: HTTP {code}: the server redirects to {redact(newurl)}; "
            "redirects are not followed, give that URL directly if it is the right server",
            url=redact(req.full_url),
            status=code,
        )


def _opener(direct: bool) -> urllib.request.OpenerDirector:
    handlers: list = [_NoRedirect()]
    if direct:
        handlers.append(urllib.request.ProxyHandler({}))  # a loopback server is never reached through a proxy
    return urllib.request.build_opener(*handlers)


_OPENERS = {True: _opener(True), False: _opener(False)}


class Endpoint:
    """A remote SPARQL 1.1 server, optionally scoped to one named graph that queries see as their default graph.

    Args:
        query_url: the SPARQL 1.1 Protocol query service.
        update_url: the SPARQL 1.1 Update service; derived from ``query_url`` for a known layout (LAYOUTS).
        store_url: the Graph Store HTTP Protocol service; derived likewise.
        graph: the named graph that loads go into and queries read as their default graph.
        timeout: seconds a request may wait on the network at each step (connect, each read).
        chunk_bytes: the largest request body of a load, in bytes (whole lines; a longer line goes alone).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        graph: str | None = None,
        timeout: float = 600.0,
        *,
        chunk_bytes: int = CHUNK_BYTES,
    ):
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        if chunk_bytes <= 0:
            raise ValueError(f"chunk_bytes must be positive, not {chunk_bytes}")
        if graph is not None:
            _check_iri(graph)
        self._query = _target(query_url, "query")
        derived_update, derived_store = derive_urls(query_url)
        update_url = update_url or derived_update
        store_url = store_url or derived_store
        self._update = _target(update_url, "update") if update_url else None
        self._store = _target(store_url, "store") if store_url else None
        self.graph = graph
        self.timeout = timeout
        self.chunk_bytes = chunk_bytes

    @property
    def query_url(self) -> str:
        return self._query.url

    @property
    def update_url(self) -> str | None:
        return self._update.url if self._update else None

    @property
    def store_url(self) -> str | None:
        return self._store.url if self._store else None

    def __repr__(self) -> str:
        return (f"Endpoint({self.query_url!r}, update_url={self.update_url!r}, store_url={self.store_url!r}, "
                f"graph={self.graph!r})")

    # --- queries ----------------------------------------------------------------------------------------------

    def select(self, query: str) -> tuple[list[str], list[tuple]]:
        """Run a SELECT; return the variable names and the rows as rdflib terms (None where unbound)."""
        answer = self._json(query)
        try:
            names = list(answer["head"]["vars"])
            bindings = answer["results"]["bindings"]
        except (KeyError, TypeError):
            raise self._bad_answer("SELECT results (head.vars and results.bindings)", answer) from None
        rows = [tuple(_term(b[n]) if n in b else None for n in names) for b in bindings]
        return names, rows

    def ask(self, query: str) -> bool:
        """Run an ASK; return its answer."""
        answer = self._json(query)
        if not isinstance(answer, dict) or not isinstance(answer.get("boolean"), bool):
            raise self._bad_answer("an ASK answer (boolean)", answer)
        return answer["boolean"]

    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT or DESCRIBE; return its triples in a new rdflib Graph."""
        body, content_type = self._request(self._query, "POST", self._query_form(query), FORM, N_TRIPLES)
        if content_type in (N_TRIPLES, "text/plain"):
            rdf_format = "nt"
        elif content_type == "text/turtle":
            rdf_format = "turtle"
        else:
            raise EndpointError(
                f"POST {self.query_url}: asked for N-Triples, the server answered {content_type or 'no content type'}",
                url=self.query_url,
            )
        graph = Graph()
        graph.parse(data=body.decode("utf-8"), format=rdf_format)
        return graph

    def _query_form(self, query: str) -> bytes:
        fields = [("query", query)]
        if self.graph is not None:
            fields.append(("default-graph-uri", self.graph))
        return urllib.parse.urlencode(fields).encode("ascii")

    def _json(self, query: str):
        body, content_type = self._request(self._query, "POST", self._query_form(query), FORM, SPARQL_JSON)
        if content_type not in (SPARQL_JSON, "application/json"):
            raise EndpointError(
                f"POST {self.query_url}: asked for {SPARQL_JSON}, the server answered "
                f"{content_type or 'no content type'}: {_excerpt(body)}",
                url=self.query_url,
            )
        try:
            return json.loads(body)
        except ValueError as e:
            raise EndpointError(f"POST {self.query_url}: the answer is not JSON ({e}): {_excerpt(body)}",
                                url=self.query_url) from None

    def _bad_answer(self, expected: str, answer) -> EndpointError:
        text = json.dumps(answer, ensure_ascii=False)[:MESSAGE_CHARS]
        return EndpointError(f"POST {self.query_url}: expected {expected}, got: {text}", url=self.query_url)

    # --- graphs -----------------------------------------------------------------------------------------------

    def load_ntriples(self, data: bytes, graph: str | None = None) -> None:
        """Add N-Triples to a graph (default: this endpoint's graph; with neither, the server's default graph).

        Sent as Graph Store Protocol POSTs of at most ``chunk_bytes`` each.
        """
        self._send_ntriples(data, graph, replace=False)

    def replace_ntriples(self, data: bytes, graph: str | None = None) -> None:
        """Make a graph hold exactly these N-Triples (a Graph Store Protocol PUT, then POSTs for further chunks)."""
        self._send_ntriples(data, graph, replace=True)

    def drop(self, graph: str | None = None) -> None:
        """Remove a named graph (default: this endpoint's graph); a graph that does not exist is no error."""
        graph = self._graph(graph)
        if graph is None:
            raise EndpointError("drop: name the graph to drop (this endpoint has no graph set)")
        if self._update is not None:
            form = urllib.parse.urlencode([("update", f"DROP SILENT GRAPH <{graph}>")]).encode("ascii")
            self._request(self._update, "POST", form, FORM, "*/*")
            return
        store = self._store_target()
        try:
            self._request(store, "DELETE", None, None, "*/*", params=[("graph", graph)])
        except EndpointError as e:
            if e.status != 404:
                raise

    def _graph(self, graph: str | None) -> str | None:
        graph = graph if graph is not None else self.graph
        if graph is not None:
            _check_iri(graph)
        return graph

    def _store_target(self) -> _Target:
        if self._store is None:
            known = "; ".join(f"{lay.server}: {'/<dataset>' if lay.dataset_segment else ''}/{lay.query[0]} -> "
                              f"/{lay.store}" for lay in LAYOUTS)
            raise EndpointError(
                f"no Graph Store Protocol URL for {self.query_url}: pass store_url=... (it is derived only for "
                f"known layouts: {known})",
                url=self.query_url,
            )
        return self._store

    def _send_ntriples(self, data: bytes, graph: str | None, replace: bool) -> None:
        if not isinstance(data, bytes):
            raise TypeError(f"N-Triples are given as UTF-8 bytes, not {type(data).__name__}")
        store = self._store_target()
        graph = self._graph(graph)
        params = [("graph", graph)] if graph is not None else [("default", "")]
        if not data.strip() and not replace:
            return
        if len(data) > self.chunk_bytes:
            _check_ntriples(data)
        for i, chunk in enumerate(_chunks(data, self.chunk_bytes) if data else [b""]):
            method = "PUT" if replace and i == 0 else "POST"
            try:
                self._request(store, method, chunk, N_TRIPLES, "*/*", params=params)
            except EndpointError as e:
                if i == 0:
                    raise
                where = f"graph <{graph}>" if graph is not None else "the default graph"
                raise EndpointError(
                    f"{e} (in request {i + 1} of the load: {where} holds the first {i} parts of it only)",
                    url=e.url, status=e.status, server_message=e.server_message,
                ) from e

    # --- HTTP -------------------------------------------------------------------------------------------------

    def _request(self, target: _Target, method: str, body, content_type: str | None, accept: str,
                 params: list[tuple[str, str]] | None = None) -> tuple[bytes, str]:
        url = target.url + ("?" + urllib.parse.urlencode(params) if params else "")
        shown = f"{method} {url}"
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Accept", accept)
        if content_type is not None:
            request.add_header("Content-Type", content_type)
        if body is not None:
            request.add_header("Content-Length", str(memoryview(body).nbytes))
        if target.authorization is not None:
            request.add_unredirected_header("Authorization", target.authorization)
        try:
            with _OPENERS[target.loopback].open(request, timeout=self.timeout) as response:
                answer = response.read()
                return answer, _media_type(response.headers.get("Content-Type"))
        except urllib.error.HTTPError as e:
            said = _excerpt(_read_quietly(e))
            e.close()
            raise EndpointError(f"{shown}: HTTP {e.code} {e.reason}: {said}", url=url, status=e.code,
                                server_message=said) from None
        except EndpointError:
            raise
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", None) or e
            if isinstance(reason, TimeoutError):
                raise EndpointError(f"{shown}: no answer within {self.timeout:g} s", url=url) from None
            raise EndpointError(f"{shown}: cannot reach the server: {reason}", url=url) from None


def _read_quietly(response) -> bytes:
    try:
        return response.read(MESSAGE_CHARS * 4)
    except (OSError, http.client.HTTPException):
        return b""


def _excerpt(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").strip()[:MESSAGE_CHARS]


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _check_iri(iri: str) -> None:
    if not _IRI.match(iri):
        raise ValueError(f"not an absolute IRI usable as a graph name: {iri!r}")


def _check_ntriples(data: bytes) -> None:
    """Parse the whole input before the first request, so a load in several parts never stops on bad syntax."""
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            pass
    except SyntaxError as e:
        raise EndpointError(f"the N-Triples do not parse, nothing was sent: {e}") from None


def _term(value: dict):
    """An rdflib term from a SPARQL 1.1 Query Results JSON term, its lexical form kept as the server wrote it
    (rdflib would rewrite "2024-03-12+08:00"^^xsd:date as "2024-03-12")."""
    kind = value.get("type")
    text = value.get("value")
    if not isinstance(text, str):
        raise EndpointError(f"a result term without a value: {value}")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        lang = value.get("xml:lang")
        if lang:
            return Literal(text, lang=lang)
        datatype = value.get("datatype")
        if datatype and datatype != str(XSD.string):  # RDF 1.1: a plain literal is an xsd:string
            return Literal(text, datatype=URIRef(datatype), normalize=False)
        return Literal(text)
    raise EndpointError(f"a result term of a type this client does not read ({kind!r}): {value}")


def _chunks(data: bytes, size: int) -> Iterator[bytes | memoryview]:
    """Request bodies of whole lines, at most `size` bytes unless one line or one blank-node group is longer.

    Lines are never split. When blank nodes occur and the input needs several requests, the lines that share a
    blank node (directly or through others) go into the same request, since a server reads each request's
    labels afresh.
    """
    if len(data) <= size:
        if data:
            yield data
        return
    if b"_:" not in data:
        yield from _line_chunks(data, size)
        return
    yield from _pack(_groups(data), size)


def _line_chunks(data: bytes, size: int) -> Iterator[memoryview]:
    view = memoryview(data)
    start, end = 0, len(data)
    while start < end:
        if end - start <= size:
            yield view[start:]
            return
        cut = data.rfind(b"\n", start, start + size)
        if cut < 0:  # one line longer than a chunk: it goes alone
            cut = data.find(b"\n", start + size)
            if cut < 0:
                yield view[start:]
                return
        yield view[start : cut + 1]
        start = cut + 1


def _groups(data: bytes) -> Iterator[list[bytes]]:
    """The lines without blank nodes one by one, then the lines of each connected set of blank nodes."""
    parent: dict[bytes, bytes] = {}

    def find(label: bytes) -> bytes:
        root = parent.setdefault(label, label)
        while root != parent[root]:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    with_blank: list[tuple[bytes, bytes]] = []
    for line in data.splitlines(keepends=True):
        if not line.endswith((b"\n", b"\r")):  # the last line: it may be followed by another in a request
            line += b"\n"
        labels = [m.rstrip(b".") for m in _NT_TOKEN.findall(line) if m] if b"_:" in line else []
        if not labels:
            yield [line]
            continue
        first = find(labels[0])
        for other in labels[1:]:
            root = find(other)
            if root != first:
                parent[root] = first
        with_blank.append((labels[0], line))
    groups: dict[bytes, list[bytes]] = {}
    for label, line in with_blank:
        groups.setdefault(find(label), []).append(line)
    yield from groups.values()


def _pack(groups: Iterator[list[bytes]], size: int) -> Iterator[bytes]:
    parts: list[bytes] = []
    length = 0
    for group in groups:
        group_length = sum(len(line) for line in group)
        if parts and length + group_length > size:
            yield b"".join(parts)
            parts, length = [], 0
        parts.extend(group)
        length += group_length
    if parts:
        yield b"".join(parts)
