"""The HTML report: one self-contained page with the summary, three bar charts and a filterable findings table.

The browser tests open the page in headless Chromium with the network shut off: the charts must be in the DOM,
the filter given in the URL must hide the rows that do not match, and a screenshot must come out. Chromium is
required, not optional: the test command installs it (scripts/browser-deps.sh), so without it these tests fail.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from datetime import date
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from kb.checking.findings import Finding
from kb.checking.pipeline import Outcome, validate_paths
from kb.checking.results import results_graph
from kb.namespaces import DXD, DXO
from kb.reasoning import readings
from kb.reasoning.in_force import NotInForce
from kb.records.batch import Batch, InputError
from kb.reports.html import as_html
from tests.browser import chromium_path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("chart-article", "chart-month", "chart-unit")


class Page(HTMLParser):
    """What the tests look at in a page: the figures and their bars, the finding rows, every attribute."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.figures: dict[str, dict] = {}
        self.rows: list[dict] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.tags: Counter = Counter()
        self._figure: dict | None = None
        self._row: dict | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.attributes.extend((tag, name, value) for name, value in attrs)
        classes = (a.get("class") or "").split()
        if tag == "figure":
            self._figure = self.figures[a.get("id", "")] = {"bars": [], "text": []}
        elif tag == "rect" and self._figure is not None and "bar" in classes:
            self._figure["bars"].append(a)
        elif tag == "tr" and "finding" in classes:
            self._row = {"attrs": a, "text": []}
            self.rows.append(self._row)

    def handle_endtag(self, tag):
        if tag == "figure":
            self._figure = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        for part in (self._figure, self._row):
            if part is not None:
                part["text"].append(data)

    def visible(self) -> list[dict]:
        return [r for r in self.rows if "hidden" not in r["attrs"]]

    @staticmethod
    def text(part: dict) -> str:
        return "".join(part["text"])


# --- the examples, and what the charts should show for them ----------------------------------------------------


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    return validate_paths([str(ROOT / "data" / "examples")])


@pytest.fixture(scope="module")
def page(outcome) -> str:
    return as_html(outcome)


@pytest.fixture(scope="module")
def placed(outcome) -> list[tuple[str, str, str]]:
    """(severity, month, unit) of each finding, as the results graph stores them."""
    graph = results_graph(outcome)
    results = list(graph.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == len(outcome.findings)
    placed = []
    for result in results:
        when, unit = graph.value(result, DXO.recordDate), graph.value(result, DXO.unit)
        placed.append((str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                       str(when)[:7] if when is not None else "", str(unit) if unit is not None else ""))
    return placed


def expected_segments(outcome, placed) -> dict[str, Counter]:
    """Per chart: findings per (category, severity), i.e. one bar segment per key."""
    return {
        "chart-article": Counter((f.article, f.severity) for f in outcome.findings),
        "chart-month": Counter((month, severity) for severity, month, _ in placed),
        "chart-unit": Counter((unit, severity) for severity, _, unit in placed),
    }


def check_charts(parsed: Page, outcome, placed) -> None:
    assert set(FIGURES) <= set(parsed.figures)
    for ident, segments in expected_segments(outcome, placed).items():
        bars = parsed.figures[ident]["bars"]
        categories = {category for category, _ in segments}
        assert len(bars) == len(segments) >= len(categories), ident
        assert sum(int(b["data-count"]) for b in bars) == len(outcome.findings), ident
        assert Counter(b["data-severity"] for b in bars) == Counter(sev for _, sev in segments), ident


# --- the page as written ---------------------------------------------------------------------------------------


def test_the_page_is_one_html5_document_in_chinese_with_a_bilingual_title(page):
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh\">")
    assert '<meta charset="utf-8">' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "校验报告" in title and "Validation report" in title
    assert page.rstrip().endswith("</html>")


def test_the_page_has_the_three_charts_and_a_row_per_finding(outcome, page, placed):
    parsed = Page(page)
    check_charts(parsed, outcome, placed)
    for ident in FIGURES:
        assert re.search(rf'<figure id="{ident}"[^>]*>\s*<figcaption', page), ident
    assert len(parsed.rows) == len(outcome.findings) > 0
    assert not any("hidden" in r["attrs"] for r in parsed.rows)
    for f in outcome.findings:
        assert escape(f.clause_zh) in page and escape(f.clause_en) in page
        assert escape(f.message_zh) in page and escape(f.message_en) in page
    assert [r["attrs"]["data-record"] for r in parsed.rows] == [f.record for f in outcome.findings]
    assert [r["attrs"]["data-severity"] for r in parsed.rows] == [f.severity for f in outcome.findings]


def test_the_charts_label_units_by_name_and_count_every_article(outcome, page, placed):
    parsed = Page(page)
    units = parsed.text(parsed.figures["chart-unit"])
    described = outcome.batch.union()
    for _, _, unit in placed:
        names = [str(n) for n in described.objects(URIRef(unit), SKOS.prefLabel) if n.language == "zh"]
        assert (names[0] if names else unit.rsplit("/", 1)[-1]) in units
    articles = parsed.text(parsed.figures["chart-article"])
    assert all(f"第{n}条" in articles for n in range(1, 17))
    months = parsed.text(parsed.figures["chart-month"])
    assert all(month in months for _, month, _ in placed)


def test_the_summary_names_sources_counts_and_the_profile(outcome, page):
    for key, count in (("sources", len(outcome.batch.graphs)),
                       ("violation", sum(f.severity == "Violation" for f in outcome.findings)),
                       ("info", sum(f.severity == "Info" for f in outcome.findings)),
                       ("input-errors", 0)):
        assert re.search(rf'data-key="{key}">.*?<dd>{count}</dd>', page), key
    assert 'id="profile"' in page and "全部采用默认解读" in page
    for choice in outcome.choices:
        assert escape(choice.setting) in page


def test_a_lowered_finding_shows_its_justification(outcome, page):
    lowered = [f for f in outcome.findings if f.justification is not None]
    assert lowered, "the examples record an exception (A09.3)"
    for f in lowered:
        assert escape(f.justification) in page and f"lowered from {f.original_severity}" in page


def test_nothing_on_the_page_would_fetch(page):
    parsed = Page(page)
    fetching = {"src", "href", "xlink:href", "srcset", "action", "poster", "data", "background", "formaction"}
    for tag, name, value in parsed.attributes:
        if name in fetching:
            assert not re.match(r"\s*([a-z][a-z0-9+.-]*:|//)", value or "", re.I), (tag, name, value)
    assert not re.search(r"""\b(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page.lower()
    assert not {"link", "img", "iframe", "object", "embed", "base", "audio", "video"} & set(parsed.tags)
    assert "default-src 'none'" in page


def test_a_page_without_findings_says_so_and_keeps_its_empty_charts():
    empty = Outcome(Batch(), Graph(), Graph(), readings.resolve())
    page = as_html(empty)
    parsed = Page(page)
    assert "未发现问题" in page and "No findings" in page
    assert set(FIGURES) <= set(parsed.figures)
    for ident in FIGURES:
        assert parsed.figures[ident]["bars"] == []
        text = parsed.text(parsed.figures[ident])
        assert "无问题" in text and "no findings" in text
    assert parsed.rows == []


def test_a_made_up_outcome_is_escaped_placed_and_explained():
    record = DXD["meeting/html-1"]
    unit = DXD["org/html-unit"]
    data = Graph()
    data.add((record, RDF.type, DXO.Meeting))
    data.add((record, DXO.localDate, Literal(date(2025, 2, 3))))
    data.add((record, DXO.organiser, unit))
    data.add((unit, SKOS.prefLabel, Literal("测试单位<甲>", lang="zh")))
    data.add((unit, SKOS.prefLabel, Literal("Test unit", lang="en")))
    bare = DXD["meeting/html-2"]
    finding = Finding(record=str(record), record_label="<script>alert(1)</script>", focus=str(record),
                      shape="https://w3id.org/daxing-zuofeng/shape/X", provision="https://w3id.org/daxing-zuofeng/"
                      "provision/A08-3", notation="A08.3", article=8, clause_zh="会议 & <控制>", clause_en="a & b",
                      severity="Warning", message_zh="消息", message_en="message", value="61", limit="≤ 60")
    other = Finding(record=str(bare), record_label=str(bare), focus=str(bare), shape="s", provision="p",
                    notation="A99.1", article=None, clause_zh="无条款", clause_en="none", severity="Info",
                    message_zh="消息二", message_en="message two")
    setting = "P_recency"
    default = {c.setting: c.alternative for c in readings.resolve()}[setting]
    alternative = next(a for a in readings.alternatives(readings.settings()[setting]) if a != default)
    outcome = Outcome(Batch({"made-up.json": data}, [InputError("bad.json", "no such field", 7, "minutes")]),
                      Graph(), Graph(), readings.resolve(overrides={setting: alternative}), [finding, other],
                      [NotInForce(str(DXD["meeting/early"]), "2015-01-01", "2016-01-01")])
    page = as_html(outcome)
    parsed = Page(page)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "会议 &amp; &lt;控制&gt;" in page
    assert "bad.json" in page and ">7<" in page and "minutes" in page and "no such field" in page
    assert f"{setting} = {alternative}" in page
    assert "meeting/early" in page and "2016-01-01" in page
    assert "测试单位<甲>" in parsed.text(parsed.figures["chart-unit"])
    assert "测试单位&lt;甲&gt;" in page and "测试单位<甲>" not in page
    assert "无单位" in parsed.text(parsed.figures["chart-unit"])
    assert "2025-02" in parsed.text(parsed.figures["chart-month"])
    assert "无日期" in parsed.text(parsed.figures["chart-month"])
    assert "no article" in parsed.text(parsed.figures["chart-article"])
    assert [r["attrs"]["data-month"] for r in parsed.rows] == ["2025-02", ""]
    assert [r["attrs"]["data-unit"] for r in parsed.rows] == [str(unit), ""]


# --- the page in a browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path("the HTML report")


@pytest.fixture(scope="module")
def written(page, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html-report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def browse(chromium: str, url: str, tmp_path: Path, *action: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on `url` with a fresh profile and no network (no DNS, a dead proxy, no QUIC)."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--virtual-time-budget=2000", *action, url]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def test_chromium_renders_the_charts_and_the_rows(chromium, written, outcome, placed, tmp_path):
    dom = browse(chromium, written.as_uri(), tmp_path, "--dump-dom").stdout
    parsed = Page(dom)
    check_charts(parsed, outcome, placed)
    assert len(parsed.rows) == len(parsed.visible()) == len(outcome.findings)
    assert re.search(rf'<output id="shown">{len(outcome.findings)}</output>', dom)
    assert re.search(r'<span id="facet" hidden="">', dom), "no bar filter is active, so the script hid its label"


def test_chromium_takes_a_screenshot_of_the_page(chromium, written, tmp_path):
    png = tmp_path / "report.png"
    browse(chromium, written.as_uri(), tmp_path, f"--screenshot={png}", "--window-size=1280,2000")
    assert png.is_file()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000


def filtered(chromium, written, tmp_path, suffix: str) -> tuple[Page, str]:
    dom = browse(chromium, written.as_uri() + suffix, tmp_path, "--dump-dom").stdout
    parsed = Page(dom)
    shown = re.search(r'<output id="shown">(\d+)</output>', dom)
    assert shown and int(shown.group(1)) == len(parsed.visible()), "the count shown is the rows shown"
    return parsed, dom


@pytest.mark.parametrize(("suffix", "keep"), [
    ("#severity=Info", lambda f: f.severity == "Info"),
    ("?severity=violation", lambda f: f.severity == "Violation"),
    ("#article=8", lambda f: f.article == 8),
    ("#article=9&severity=Violation", lambda f: f.article == 9 and f.severity == "Violation"),
])
def test_a_filter_in_the_url_hides_the_other_rows(chromium, written, outcome, tmp_path, suffix, keep):
    parsed, _ = filtered(chromium, written, tmp_path, suffix)
    wanted = [f.record for f in outcome.findings if keep(f)]
    assert 0 < len(wanted) < len(outcome.findings), "the filter should keep some rows and hide others"
    assert [r["attrs"]["data-record"] for r in parsed.visible()] == wanted
    assert len(parsed.rows) == len(outcome.findings)


def test_a_text_filter_in_the_fragment_keeps_exactly_the_rows_that_mention_it(chromium, written, outcome, tmp_path):
    parsed, _ = filtered(chromium, written, tmp_path, "#q=A08")
    for row in parsed.rows:
        mentions = "a08" in (Page.text(row) + " " + row["attrs"]["data-record"]).lower()
        assert mentions == ("hidden" not in row["attrs"]), Page.text(row)[:80]
    assert len(parsed.visible()) >= sum(f.notation.startswith("A08") for f in outcome.findings) > 0
    assert len(parsed.visible()) < len(parsed.rows)


def test_a_bar_link_filters_by_unit(chromium, written, outcome, placed, tmp_path):
    unit, _ = Counter(u for _, _, u in placed if u).most_common(1)[0]
    parsed, dom = filtered(chromium, written, tmp_path, "#" + urlencode({"unit": unit}))
    assert len(parsed.visible()) == sum(u == unit for _, _, u in placed) < len(outcome.findings)
    assert {r["attrs"]["data-unit"] for r in parsed.visible()} == {unit}
    assert re.search(r'<span id="facet">', dom), "the active bar filter is named next to the controls"
