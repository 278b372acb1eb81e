"""The query page of `kb serve` in a real browser: YASGUI, vendored, preloaded with the library, offline.

A real `kb serve data/examples` runs as its own process (tests/kb_server.py) and Debian's Chromium, driven by
Playwright, opens its page the way an analyst would: the library's queries are there as tabs, a query typed into a
tab runs on the server when the run button is clicked, and the result table shows the rows the endpoint gives for
that query when asked directly. Every request the page makes is watched: one to another host fails the test (and is
aborted), so the page is known to work with no network. The screenshot each run takes is kept in the test's tmp_path.

Chromium is required, not optional: the test command installs it (scripts/browser-deps.sh), so without it these
tests fail. Playwright's own browser download is never used (`executable_path`), and each test starts Chromium with a
fresh profile folder and the flags that keep it from calling home.
"""

from __future__ import annotations

import json
import struct
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser import chromium_path
from tests.kb_server import DIRECT, running_kb_serve

pytestmark = pytest.mark.xdist_group("kb-serve-ui")  # its server starts once, on one worker

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-dev-shm-usage",
         # no name resolves and every other host goes to a dead proxy: only the loopback server is reachable
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9"]
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 20_000
ACTIVE = ".yasgui .tabPanel.active"
ROWS = f"{ACTIVE} .yasr table.dataTable tbody tr"
KB_BASE = "https://w3id.org/daxing-zuofeng/"


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path("the query page")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_kb_serve(tmp_path_factory.mktemp("ui-serve"), str(ROOT / "data" / "examples"),
                          "--workers", "2") as running:
        yield running


@pytest.fixture(scope="module")
def library(server) -> list[dict]:
    with DIRECT.open(f"{server.url}/queries.json", timeout=10) as response:
        queries = json.load(response)
    assert len(queries) > 10, "the library has its queries"
    return queries


@pytest.fixture(scope="module")
def playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests drive Chromium with Playwright: pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as running:
        yield running


@dataclass
class Browsing:
    """A page in a fresh Chromium profile, and every request it made: to the server, or elsewhere (aborted)."""

    page: object
    origin: str
    requests: list[tuple[str, str]] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.origin + path)
        self.page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)

    def editor(self) -> str:
        return self.page.evaluate(f"document.querySelector('{ACTIVE} .CodeMirror').CodeMirror.getValue()")

    def tab_names(self) -> list[str]:
        return [t.strip() for t in self.page.locator(".yasgui .tabsList .tab a > span").all_inner_texts()]

    def active_tab(self) -> str:
        return self.page.locator(".yasgui .tabsList .tab.active a > span").inner_text().strip()

    def run_and_wait_for_rows(self):
        with self.page.expect_response(lambda r: r.url == self.origin + "/sparql", timeout=WAIT_MS) as answer:
            self.page.locator(f"{ACTIVE} .yasqe_queryButton").click()
        assert answer.value.status == 200, answer.value.text()
        self.page.wait_for_selector(ROWS, timeout=WAIT_MS)
        return answer.value

    def all_local(self) -> None:
        blocked = self.page.evaluate("window.__blocked || []")
        assert blocked == [], f"the page's Content-Security-Policy stopped a load from elsewhere: {blocked}"
        assert self.foreign == [], f"the page tried to reach another host: {self.foreign}"
        outside = [url for _, url in self.requests if not url.startswith(self.origin + "/")]
        assert outside == [], outside
        assert self.problems == [], self.problems


@pytest.fixture
def browsing(playwright, chromium, server, tmp_path) -> Iterator[Browsing]:
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium, args=FLAGS, headless=True, viewport=VIEWPORT,
        locale="zh-CN", service_workers="block")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        seen = Browsing(page, server.url)

        def gate(route):
            url = route.request.url
            if url.startswith(server.url + "/"):
                route.continue_()
            else:
                seen.foreign.append(url)
                route.abort()

        context.route("**/*", gate)
        # what the page's own Content-Security-Policy stops never reaches the network: record it too
        context.add_init_script("""window.__blocked = [];
            document.addEventListener('securitypolicyviolation',
                e => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));""")
        page.on("request", lambda r: seen.requests.append((r.method, r.url)))
        page.on("pageerror", lambda e: seen.problems.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: seen.problems.append(f"failed: {r.method} {r.url} {r.failure}")
                if r.url.startswith(server.url) else None)
        yield seen
    finally:
        context.close()


def ask(server, query: str) -> dict:
    """The endpoint's own answer, asked without a browser."""
    request = urllib.request.Request(f"{server.url}/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with DIRECT.open(request, timeout=30) as response:
        return json.load(response)


def column(browsing: Browsing, name: str) -> list[str]:
    """The texts of one column of the result table, as shown."""
    headers = [h.strip() for h in browsing.page.locator(f"{ACTIVE} .yasr table.dataTable thead th").all_inner_texts()]
    index = headers.index(name) + 1
    return [c.strip() for c in browsing.page.locator(f"{ROWS} td:nth-child({index})").all_inner_texts()]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "a PNG file"
    return struct.unpack(">II", data[16:24])


# --- the tests ---------------------------------------------------------------------------------------------------


def test_the_page_has_a_tab_per_library_query_the_first_one_open_and_the_library_beside(browsing, library, server):
    browsing.open()
    names = [q["name"] for q in library]
    assert browsing.tab_names() == names
    assert browsing.active_tab() == names[0]
    assert browsing.editor() == library[0]["text"], "the tab holds the query file's text as it is"
    items = browsing.page.locator("#library-list li")
    assert items.count() == len(library)
    for item, query in zip(items.all(), library, strict=True):
        assert item.get_attribute("data-name") == query["name"]
        assert query["summary"] in item.inner_text()
    assert "查询库" in browsing.page.locator("#library h2").inner_text()
    assert "Query library" in browsing.page.locator("#library h2").inner_text()

    # nothing that would ask another host is left switched on
    offline = browsing.page.evaluate("""() => {
        const yasqe = window.kbYasgui.getTab().getYasqe();
        return {registered: Object.keys(Yasgui.Yasqe.Autocompleters).sort(), used: yasqe.config.autocompleters,
                prefixCc: yasqe.config.prefixCcApi, plugins: Object.keys(Yasgui.Yasr.plugins).sort()};
    }""")
    assert offline == {"registered": ["prefixes", "variables"], "used": ["variables", "prefixes"], "prefixCc": None,
                       "plugins": ["boolean", "error", "response", "table"]}

    # a new tab asks this server too, and prefix completion offers our namespaces, from the page itself
    browsing.page.locator(".yasgui .tabsList .addTab").click()
    assert browsing.page.evaluate("window.kbYasgui.getTab().getEndpoint()") == server.url + "/sparql"
    browsing.page.locator(f"{ACTIVE} .CodeMirror").click()
    browsing.page.keyboard.press("Control+A")
    browsing.page.keyboard.type("PREFIX dx")
    hints = browsing.page.locator(".CodeMirror-hints")
    hints.wait_for(timeout=WAIT_MS)
    assert "dxo: <https://w3id.org/daxing-zuofeng/ontology/>" in hints.inner_text().splitlines()

    # the header leads to the rules catalogue of the same server
    link = browsing.page.locator("header nav a", has_text="规则目录")
    assert "Rules catalogue" in link.inner_text()
    with browsing.page.expect_navigation():
        link.click()
    assert browsing.page.url == server.url + "/catalogue"
    with DIRECT.open(server.url + "/catalogue", timeout=10) as response:
        assert response.status == 200 and response.headers.get_content_type() == "text/html"
    browsing.all_local()


def test_a_query_typed_into_a_tab_runs_on_the_server_and_the_table_shows_its_rows(browsing, server, tmp_path):
    browsing.open()
    page = browsing.page
    page.locator("#library-list li[data-name='article-provisions'] button").click()
    assert browsing.active_tab() == "article-provisions"
    assert page.locator("#library-list li.current").get_attribute("data-name") == "article-provisions"

    # the analyst binds the parameter as the sidebar says: a VALUES line at the start of WHERE, typed in
    line = page.evaluate(f"""() => {{
        const cm = document.querySelector('{ACTIVE} .CodeMirror').CodeMirror;
        const line = cm.getValue().split('\\n').findIndex(l => /^WHERE\\s*\\{{/.test(l));
        cm.focus(); cm.setCursor({{line: line, ch: cm.getLine(line).length}});
        return line;
    }}""")
    assert line > 0
    page.keyboard.press("Enter")
    page.keyboard.type('VALUES ?article { "8" }')
    query = browsing.editor()
    assert query.splitlines()[line + 1].strip() == 'VALUES ?article { "8" }'

    answer = browsing.run_and_wait_for_rows()
    sent = urllib.parse.parse_qs(answer.request.post_data)
    assert answer.request.method == "POST" and sent["query"] == [query]

    expected = ask(server, query)["results"]["bindings"]
    assert 0 < len(expected) <= 50, "one page of the table holds them all"
    assert page.locator(ROWS).count() == len(expected)
    notations = column(browsing, "notation")
    assert notations == [b["notation"]["value"] for b in expected]
    assert all(n.startswith("A08.") for n in notations), "only article 8's provisions"
    assert page.locator(f"{ACTIVE} .yasr_response_chip").inner_text().startswith(f"{len(expected)} results")

    # our IRIs in the table open this server's page about them, not the w3id.org address
    links = page.locator(f"{ROWS} a.iri").evaluate_all("links => links.map(a => [a.href, a.title])")
    ours = [(href, iri) for href, iri in links if iri.startswith(KB_BASE)]
    assert ours, "the provisions' shapes and concepts are ours"
    assert all(href == server.url + "/page/" + iri[len(KB_BASE):] for href, iri in ours)
    assert not any(href.startswith(KB_BASE) for href, _ in links)

    shot = tmp_path / "query-page.png"
    page.screenshot(path=str(shot))
    assert png_size(shot) == (VIEWPORT["width"], VIEWPORT["height"])
    assert shot.stat().st_size > 50_000, "a page with an editor and a table, not a blank one"
    assert ("POST", server.url + "/sparql") in browsing.requests
    browsing.all_local()


def test_a_share_link_naming_another_endpoint_still_asks_this_server(browsing, server, library):
    query = "SELECT ?notation WHERE { ?p <http://www.w3.org/2004/02/skos/core#notation> ?notation } ORDER BY ?notation"
    link = "/#" + urllib.parse.urlencode({"query": query, "endpoint": "http://example.org/sparql",
                                          "tabTitle": "shared"})
    with browsing.page.expect_response(lambda r: r.url == server.url + "/sparql", timeout=WAIT_MS):
        browsing.open(link)
    browsing.page.wait_for_selector(ROWS, timeout=WAIT_MS)
    assert browsing.active_tab() == "shared"
    assert browsing.tab_names() == ["shared"] + [q["name"] for q in library]
    assert browsing.page.locator(ROWS).count() == min(50, len(ask(server, query)["results"]["bindings"]))
    browsing.all_local()


def test_tabs_are_kept_across_a_reload_and_reset_brings_the_library_back(browsing, library):
    browsing.open()
    page = browsing.page
    page.locator(f"{ACTIVE} .CodeMirror").click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("# my note\n")
    page.locator("#library-title").click()  # YASGUI keeps a tab's text when the editor loses focus
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    assert browsing.editor().startswith("# my note\n")
    assert browsing.tab_names() == [q["name"] for q in library]
    with page.expect_navigation():
        page.locator("#reset").click()
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT_MS)
    assert browsing.editor() == library[0]["text"]
    browsing.all_local()
