"""A validation outcome as one self-contained HTML page: summary, three bar charts and a filterable findings table.

Nothing on the page fetches anything: the style and the small script are inline, the charts are SVG drawn here,
and a Content-Security-Policy forbids every other source. The table filters by text and severity, and by
article, month or unit when a bar is clicked; the filter lives in the URL fragment (`report.html#q=A08`,
`#article=9&severity=Violation`; `?severity=Info` works too), so a filtered view can be shared as a link.

A finding's month is its record's local date (`kb.reasoning.in_force.record_date`) and its unit the record's
`dxo:organiser`, read from the records and the inferred graph, as `kb.checking.results.results_graph` stores them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from kb import __version__
from kb.checking.findings import Finding
from kb.checking.pipeline import Outcome
from kb.namespaces import DXD, DXO, SCHEMA
from kb.reasoning import readings
from kb.reasoning.in_force import record_date
from kb.reports.summary import SEVERITIES, summary

SEVERITY_ZH = {"Violation": "违规", "Warning": "警告", "Info": "提示"}
ARTICLES = range(1, 17)
NO_MONTH = ("无日期", "no date")
NO_UNIT = ("无单位", "no unit")
NO_ARTICLE = ("无条", "no article")
NAME_PROPERTIES = (SCHEMA.name, SKOS.prefLabel, RDFS.label)
TITLE_ZH = "校验报告 · 大兴区政府办公室作风建设规定"
TITLE_EN = "Validation report · Daxing District Government Office work-style regulation"


def as_html(outcome: Outcome) -> str:
    """The whole page, as one string (UTF-8 when written)."""
    places = _places(outcome)
    body = "\n".join((
        _header(outcome),
        _charts(outcome.findings, places),
        _table(outcome.findings, places),
    ))
    return _PAGE.format(
        version=escape(__version__), title=escape(f"{TITLE_ZH} / {TITLE_EN}"), style=_STYLE, body=body,
        facets=_json_for_script(_facet_labels(outcome.findings, places)), script=_SCRIPT)


# --- where and when: the month and the unit of each finding's record -------------------------------------------


@dataclass(frozen=True)
class _Place:
    month: str | None
    date: str | None
    unit: str | None
    unit_zh: str
    unit_en: str


@dataclass
class _Places:
    by_record: dict[str, _Place] = field(default_factory=dict)

    def of(self, finding: Finding) -> _Place:
        return self.by_record.get(finding.record) or _Place(None, None, None, *NO_UNIT)


def _places(outcome: Outcome) -> _Places:
    places = _Places()
    records = {f.record for f in outcome.findings}
    if not records:
        return places
    described = outcome.batch.union() + outcome.inferred
    for record in records:
        node = BNode(record[2:]) if record.startswith("_:") else URIRef(record)
        when = record_date(described, node)
        organisers = sorted((o for o in described.objects(node, DXO.organiser) if not isinstance(o, Literal)), key=str)
        unit = organisers[0] if organisers else None
        zh, en = (_name(described, unit, "zh"), _name(described, unit, "en")) if unit is not None else NO_UNIT
        places.by_record[record] = _Place(
            when.strftime("%Y-%m") if when else None, when.isoformat() if when else None,
            str(unit) if unit is not None else None, zh, en)
    return places


def _name(graph: Graph, node, lang: str) -> str:
    """The unit's name in `lang`, else an untagged name, else any name, else the IRI's last segment."""
    names = [o for p in NAME_PROPERTIES for o in graph.objects(node, p) if isinstance(o, Literal)]
    for wanted in (lambda n: n.language == lang, lambda n: not n.language, lambda n: True):
        chosen = sorted(str(n) for n in names if wanted(n))
        if chosen:
            return chosen[0]
    return str(node).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# --- header: summary, input errors, profile, records not in force ----------------------------------------------


def _header(outcome: Outcome) -> str:

    s = summary(outcome)
    cards = [
        ("sources", "来源", "sources", s["sources"]),
        ("records", "记录", "records", s["records"]),
        *[(sev.lower(), SEVERITY_ZH[sev], sev, s[sev.lower()]) for sev in SEVERITIES],
        ("input-errors", "输入错误", "input errors", s["input_errors"]),
        ("not-in-force", "未施行", "not in force", s["not_in_force"]),
    ]
    parts = [f'<header id="summary">\n<h1><span lang="zh">{escape(TITLE_ZH)}</span>'
             f'<span class="en" lang="en">{escape(TITLE_EN)}</span></h1>',
             '<dl class="cards">']
    for key, zh, en, count in cards:
        zero = " zero" if not count else ""
        parts.append(f'<div class="card card-{key}{zero}" data-key="{key}"><dt><span lang="zh">{zh}</span> '
                     f'<span class="en" lang="en">{escape(en)}</span></dt><dd>{count}</dd></div>')
    parts.append("</dl>")
    total = len(outcome.findings)
    if total:
        parts.append(f'<p class="verdict has-findings" id="verdict"><span lang="zh">发现 {total} 个问题。</span> '
                     f'<span lang="en">{total} finding{"s" if total != 1 else ""}.</span></p>')
    else:
        parts.append('<p class="verdict no-findings" id="verdict">'
                     '<span lang="zh">未发现问题:所有记录均符合规定。</span> '
                     '<span lang="en">No findings: every record conforms to the regulation.</span></p>')
    parts.append(_errors(outcome))
    parts.append(_profile(outcome))
    parts.append(_not_in_force(outcome))
    parts.append("</header>")
    return "\n".join(p for p in parts if p)


def _errors(outcome: Outcome) -> str:
    if not outcome.errors:
        return ""
    rows = "\n".join(
        f"<tr><td><code>{escape(e.source)}</code></td><td>{escape(str(e.line or ''))}</td>"
        f"<td><code>{escape(e.field or '')}</code></td><td>{escape(e.message)}</td></tr>" for e in outcome.errors)
    return (f'<section id="input-errors" class="warn"><h2><span lang="zh">输入错误</span> '
            f'<span class="en" lang="en">Input errors</span> ({len(outcome.errors)})</h2>\n'
            '<p><span lang="zh">以下内容未能读入,相关记录未被校验。</span> '
            '<span lang="en">These could not be read; what they describe was not validated.</span></p>\n'
            '<table class="plain"><thead><tr><th>文件 File</th><th>行 Line</th><th>字段 Field</th>'
            f'<th>错误 Error</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table></section>')


def _profile(outcome: Outcome) -> str:
    changed = [c for c in outcome.choices if not c.is_default]
    if changed:
        items = "\n".join(f'<li><code>{escape(c.setting)} = {escape(c.alternative)}</code> '
                          f'<span lang="zh">{escape(readings.label(c.iri, "zh"))}</span> / '
                          f'<span lang="en">{escape(readings.label(c.iri, "en"))}</span></li>' for c in changed)
        differ = ('<p><span lang="zh">与默认不同的解读:</span> <span lang="en">Readings that differ from the default:'
                  f'</span></p>\n<ul class="changed">\n{items}\n</ul>')
    else:
        differ = ('<p class="defaults"><span lang="zh">全部采用默认解读。</span> '
                  '<span lang="en">Every reading is the default.</span></p>')
    rows = "\n".join(
        f'<tr{"" if c.is_default else " class=changed"}><td><code>{escape(c.setting)}</code></td>'
        f"<td><code>{escape(c.alternative)}</code></td><td lang=\"zh\">{escape(readings.label(c.iri, 'zh'))}</td>"
        f"<td lang=\"en\">{escape(readings.label(c.iri, 'en'))}</td><td>{'' if c.is_default else '≠ default'}</td></tr>"
        for c in outcome.choices)
    table = ('<details><summary><span lang="zh">全部设置</span> <span lang="en">All settings</span> '
             f'({len(outcome.choices)})</summary>\n<table class="plain"><thead><tr><th>设置 Setting</th>'
             '<th>选项 Alternative</th><th>中文</th><th>English</th><th></th></tr></thead>\n'
             f'<tbody>\n{rows}\n</tbody></table></details>') if outcome.choices else ""
    return (f'<section id="profile"><h2><span lang="zh">解释方案</span> <span class="en" lang="en">'
            f'Interpretation profile</span></h2>\n{differ}\n{table}</section>')


def _not_in_force(outcome: Outcome) -> str:
    if not outcome.not_in_force:
        return ""
    items = "\n".join(f'<li><span title="{escape(n.record)}"><code>{escape(_short(n.record))}</code></span> '
                      f'<span lang="zh">{escape(n.message("zh"))}</span> / '
                      f'<span lang="en">{escape(n.message("en"))}</span></li>' for n in outcome.not_in_force)
    return (f'<section id="not-in-force"><h2><span lang="zh">未施行(不作判断)</span> <span class="en" lang="en">'
            f'Not in force (no verdict)</span> ({len(outcome.not_in_force)})</h2>\n<ul>\n{items}\n</ul></section>')


# --- charts ------------------------------------------------------------------------------------------------------


@dataclass
class _Bar:
    key: str  # the value of the facet in the URL fragment and on the table rows
    label: str
    title: str
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _article_key(f: Finding) -> str:
    return str(f.article) if f.article is not None else ""


def _bars_by_article(findings: list[Finding]) -> list[_Bar]:
    numbers = sorted(set(ARTICLES) | {f.article for f in findings if f.article is not None})
    bars = {str(n): _Bar(str(n), f"第{n}条 Art. {n}", f"第{n}条 / Article {n}") for n in numbers}
    if any(f.article is None for f in findings):
        bars[""] = _Bar("", f"{NO_ARTICLE[0]} {NO_ARTICLE[1]}", f"{NO_ARTICLE[0]} / {NO_ARTICLE[1]}")
    for f in findings:
        bars[_article_key(f)].counts[f.severity] += 1
    return list(bars.values())


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _bars_by_month(findings: list[Finding], places: _Places) -> list[_Bar]:
    months = sorted({m for f in findings if (m := places.of(f).month)})
    span = _months_between(months[0], months[-1]) if months else []
    if len(span) > 60:  # a long gap would drown the chart in empty rows: keep the months that have findings
        span = months
    bars = {m: _Bar(m, m, m) for m in span}
    for f in findings:
        month = places.of(f).month
        if month is None and "" not in bars:
            bars[""] = _Bar("", f"{NO_MONTH[0]} {NO_MONTH[1]}", f"{NO_MONTH[0]} / {NO_MONTH[1]}")
        bars[month or ""].counts[f.severity] += 1
    return list(bars.values())


def _bars_by_unit(findings: list[Finding], places: _Places) -> list[_Bar]:
    bars: dict[str, _Bar] = {}
    for f in findings:
        place = places.of(f)
        key = place.unit or ""
        if key not in bars:
            title = f"{place.unit_zh} / {place.unit_en}" + (f"\n{place.unit}" if place.unit else "")
            bars[key] = _Bar(key, place.unit_zh if place.unit else f"{NO_UNIT[0]} {NO_UNIT[1]}", title)
        bars[key].counts[f.severity] += 1
    return sorted(bars.values(), key=lambda b: (b.key == "", -b.total, b.label))


def _charts(findings: list[Finding], places: _Places) -> str:
    legend = " ".join(f'<span class="swatch sev-{sev}"></span><span lang="zh">{SEVERITY_ZH[sev]}</span> '
                      f'<span lang="en">{sev}</span>' for sev in SEVERITIES)
    figures = [
        _chart("chart-article", "article", "按条统计的问题", "Findings by article (articles 1–16)",
               _bars_by_article(findings)),
        _chart("chart-month", "month", "按月统计的问题(记录的当地日期)", "Findings by month (the record's local date)",
               _bars_by_month(findings, places)),
        _chart("chart-unit", "unit", "按单位统计的问题(记录的主办单位)", "Findings by unit (the record's organiser)",
               _bars_by_unit(findings, places)),
    ]
    return (f'<section id="charts"><h2><span lang="zh">统计</span> <span class="en" lang="en">Charts</span></h2>\n'
            f'<p class="legend">{legend} <span class="hint"><span lang="zh">点击条形可筛选下表。</span> '
            f'<span lang="en">Click a bar to filter the table.</span></span></p>\n'
            f'<div class="charts">\n{figures[0]}<div class="stack">\n{figures[1]}{figures[2]}</div>\n</div></section>')


_WIDTH, _ROW, _BAR, _TOP, _COUNT = 520, 26, 16, 26, 40


def _text_width(text: str) -> float:
    """A rough width at 13px: wide for CJK and full-width forms, narrow otherwise."""
    return sum(13.0 if ord(c) >= 0x2E80 else 7.2 for c in text)


def _fit(text: str, width: float) -> str:
    if _text_width(text) <= width:
        return text
    while text and _text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if top / step <= 5:
            return step
    return 10 ** len(str(top))


def _chart(ident: str, facet: str, caption_zh: str, caption_en: str, bars: list[_Bar]) -> str:
    label_w = min(max([_text_width(b.label) for b in bars] + [48.0]) + 14, 190)
    x0 = label_w
    plot_w = _WIDTH - label_w - _COUNT
    total = sum(b.total for b in bars)
    top = max([b.total for b in bars] + [1])
    step = _nice_step(top)
    top = -(-top // step) * step
    height = _TOP + max(len(bars), 2) * _ROW + 8
    svg = [f'<svg viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" role="group" '
           f'aria-labelledby="{ident}-caption" class="chart">']
    for tick in range(0, top + 1, step):
        x = x0 + tick / top * plot_w
        svg.append(f'<line class="grid" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{height - 6}"/>'
                   f'<text class="tick" x="{x:.1f}" y="{_TOP - 9}" text-anchor="middle">{tick}</text>')
    for i, bar in enumerate(bars):
        y = _TOP + i * _ROW
        middle = y + _ROW / 2 + 4.5
        empty = "" if bar.total else " empty"
        svg.append(f'<g class="row{empty}" data-{facet}="{escape(bar.key)}">'
                   f'<text class="label" x="{x0 - 8:.1f}" y="{middle:.1f}" text-anchor="end">'
                   f'<title>{escape(bar.title)}</title>{escape(_fit(bar.label, label_w - 12))}</text>')
        x = x0
        for sev in SEVERITIES:
            count = bar.counts.get(sev, 0)
            if not count:
                continue
            width = count / top * plot_w
            link = "#" + urlencode({facet: bar.key, "severity": sev})
            tip = f"{bar.title}\n{SEVERITY_ZH[sev]} {sev}: {count}"
            svg.append(f'<a href="{escape(link)}"><rect class="bar sev-{sev}" x="{x:.1f}" '
                       f'y="{y + (_ROW - _BAR) / 2:.1f}" width="{width:.1f}" height="{_BAR}" '
                       f'data-severity="{sev}" data-count="{count}"><title>{escape(tip)}</title></rect></a>')
            x += width
        svg.append(f'<text class="count" x="{x + 6:.1f}" y="{middle:.1f}">{bar.total}</text></g>')
    if not total:
        svg.append(f'<text class="none" x="{x0 + plot_w / 2:.0f}" y="{(_TOP + height) / 2 + 5:.0f}" '
                   'text-anchor="middle">'
                   '无问题 / no findings</text>')
    svg.append("</svg>")
    return (f'<figure id="{ident}" data-facet="{facet}">\n<figcaption id="{ident}-caption"><span lang="zh">'
            f'{escape(caption_zh)}</span> <span class="en" lang="en">{escape(caption_en)}</span></figcaption>\n'
            + "\n".join(svg) + "\n</figure>\n")


def _facet_labels(findings: list[Finding], places: _Places) -> dict:
    labels: dict[str, dict[str, str]] = {"article": {}, "month": {}, "unit": {}}
    for bar in _bars_by_article(findings):
        labels["article"][bar.key] = bar.title
    for bar in _bars_by_month(findings, places):
        labels["month"][bar.key] = bar.title
    for bar in _bars_by_unit(findings, places):
        labels["unit"][bar.key] = bar.title.split("\n")[0]
    return labels


def _json_for_script(value) -> str:
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- findings table ----------------------------------------------------------------------------------------------


def _short(iri: str) -> str:
    """`meeting/2024-06-18-budget` for a record of ours, else the IRI's last segment."""
    if iri.startswith(str(DXD)) and len(iri) > len(str(DXD)):
        return iri[len(str(DXD)):]
    return iri.rstrip("/#").rsplit("/", 1)[-1]


def _table(findings: list[Finding], places: _Places) -> str:
    options = "".join(f'<option value="{sev}">{SEVERITY_ZH[sev]} {sev}</option>' for sev in SEVERITIES)
    total = len(findings)
    controls = (
        '<div class="controls" role="search">'
        '<label><span lang="zh">筛选</span> <span lang="en">Filter</span> '
        '<input type="search" id="q" placeholder="A08, 会议, meal …" autocomplete="off"></label> '
        '<label><span lang="zh">严重程度</span> <span lang="en">Severity</span> '
        f'<select id="severity"><option value="">全部 All</option>{options}</select></label> '
        '<span id="facet" hidden><span id="facet-text"></span></span> '
        '<button type="button" id="clear">清除筛选 Clear</button> '
        f'<span class="shown"><span lang="zh">显示</span> <output id="shown">{total}</output> / '
        f'<span id="total">{total}</span> <span lang="en">shown</span></span></div>')
    head = ("<thead><tr><th>严重程度<br><span class=en>Severity</span></th><th>条款<br><span class=en>Provision</span>"
            "</th><th>记录<br><span class=en>Record</span></th><th>条文<br><span class=en>Clause</span></th>"
            "<th>说明<br><span class=en>Message</span></th><th>值<br><span class=en>Value</span></th>"
            "<th>限值<br><span class=en>Limit</span></th><th>例外理由<br><span class=en>Justification</span></th>"
            "</tr></thead>")
    if findings:
        rows = "\n".join(_row(f, places.of(f)) for f in findings)
        empty = ('<p id="no-match" hidden><span lang="zh">没有符合筛选条件的问题。</span> '
                 '<span lang="en">No finding matches the filter.</span></p>')
    else:
        rows = ('<tr class="none"><td colspan="8"><span lang="zh">未发现问题。</span> '
                '<span lang="en">No findings.</span></td></tr>')
        empty = ""
    return (f'<section id="findings-section"><h2><span lang="zh">问题清单</span> <span class="en" lang="en">'
            f'Findings</span> ({total})</h2>\n{controls}\n<div class="scroll"><table id="findings">{head}\n'
            f"<tbody>\n{rows}\n</tbody></table></div>\n{empty}</section>")


def _row(f: Finding, place: _Place) -> str:
    e = escape
    severity = (f'<span class="badge sev-{e(f.severity)}">{e(SEVERITY_ZH.get(f.severity, f.severity))} '
                f'{e(f.severity)}</span>')
    if f.original_severity and f.original_severity != f.severity:
        severity += (f'<br><small><span lang="zh">原为 {e(SEVERITY_ZH.get(f.original_severity, ""))}</span> '
                     f'<span lang="en">lowered from {e(f.original_severity)}</span></small>')
    article = f"<br><small>第{f.article}条 / Art. {f.article}</small>" if f.article is not None else ""
    provision = f'<span title="{e(f.shape)}"><code>{e(f.notation)}</code></span>{article}'
    label = f.record_label if f.record_label and "://" not in f.record_label and f.record_label != f.record \
        else _short(f.record)
    where = " · ".join((place.date or f"{NO_MONTH[0]} {NO_MONTH[1]}",
                        place.unit_zh if place.unit else f"{NO_UNIT[0]} {NO_UNIT[1]}"))
    record = (f'<span class="record" title="{e(f.record)}">{e(label)}</span><br><small>{e(where)}</small>'
              + (f'<br><small class="source"><code>{e(f.source)}</code></small>' if f.source else ""))
    clause = f'<p lang="zh">{e(f.clause_zh)}</p><p class="en" lang="en">{e(f.clause_en)}</p>'
    message = f'<p lang="zh">{e(f.message_zh)}</p><p class="en" lang="en">{e(f.message_en)}</p>'
    if f.situation_zh or f.situation_en:
        message += (f'<p class="situation"><small><span lang="zh">适用于 {e(f.situation_zh or "")}</span> / '
                    f'<span lang="en">applies to {e(f.situation_en or "")}</span></small></p>')
    for reading in f.readings:
        message += (f'<p class="reading"><small><span lang="zh">解读</span> reading <code>{e(reading)}</code>'
                    '</small></p>')
    shown = f.value_label or f.value
    value = ""
    if shown is not None:
        value = f'<span title="{e(f.value or "")}">{e(shown)}</span>'
    if f.path:
        value += f'<br><small class="path">{e(f.path)}</small>'
    justification = f'<span lang="zh">{e(f.justification)}</span>' if f.justification is not None else ""
    attributes = {
        "class": "finding", "data-severity": f.severity, "data-article": _article_key(f),
        "data-month": place.month or "", "data-unit": place.unit or "", "data-record": f.record,
    }
    opening = "<tr " + " ".join(f'{k}="{e(v)}"' for k, v in attributes.items()) + ">"
    cells = (severity, provision, record, clause, message, value, e(f.limit or ""), justification)
    return opening + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


# --- the page ----------------------------------------------------------------------------------------------------


_STYLE = """
:root { --violation: #c62828; --warning: #e08a00; --info: #1565c0; --line: #d6d9de; --muted: #5f6670; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; color: #1d2127; background: #fff;
  font: 14px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
  "WenQuanYi Zen Hei", system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 22px; margin: 0 0 12px; }
h1 .en { display: block; font-size: 15px; font-weight: 400; color: var(--muted); }
h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h2 .en, .en { color: var(--muted); }
code { font-size: 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.card dt { font-size: 12px; } .card dd { margin: 0; font-size: 24px; font-weight: 600; }
.card-violation dd { color: var(--violation); } .card-warning dd { color: var(--warning); }
.card-info dd { color: var(--info); } .card-input-errors:not(.zero) { border-color: var(--violation); }
.card.zero dd { color: var(--muted); }
.verdict { font-size: 16px; padding: 8px 12px; border-radius: 6px; }
.verdict.no-findings { background: #e8f5e9; border: 1px solid #81c784; }
.verdict.has-findings { background: #fff4f4; border: 1px solid #f3b4b4; }
.warn { background: #fff8e1; border: 1px solid #ffd54f; border-radius: 6px; padding: 0 12px 8px; }
ul.changed li { background: #fff8e1; }
table.plain { border-collapse: collapse; margin: 6px 0; }
table.plain th, table.plain td { border: 1px solid var(--line); padding: 2px 8px; text-align: left; font-size: 13px; }
tr.changed { background: #fff8e1; }
.legend { font-size: 13px; } .hint { color: var(--muted); margin-left: 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
.swatch.sev-Violation, rect.sev-Violation { background: var(--violation); fill: var(--violation); }
.swatch.sev-Warning, rect.sev-Warning { background: var(--warning); fill: var(--warning); }
.swatch.sev-Info, rect.sev-Info { background: var(--info); fill: var(--info); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; align-items: start; }
.stack { display: flex; flex-direction: column; gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption .en { font-weight: 400; display: block; font-size: 13px; }
svg.chart { max-width: 100%; height: auto; display: block; font-size: 13px; }
svg .grid { stroke: #eceef1; } svg .tick { fill: var(--muted); font-size: 11px; }
svg .label { fill: #1d2127; } svg .row.empty .label, svg .row.empty .count { fill: #a0a6ae; }
svg .count { fill: #1d2127; font-weight: 600; } svg .none { fill: var(--muted); font-size: 15px; }
svg a rect:hover { opacity: .75; } svg a { cursor: pointer; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.controls input { width: 260px; padding: 4px 6px; font: inherit; } .controls select { font: inherit; padding: 3px; }
#facet { background: #e3f2fd; border-radius: 4px; padding: 2px 8px; } .shown { margin-left: auto; }
#shown { font-weight: 600; }
.scroll { overflow-x: auto; }
#findings { border-collapse: collapse; width: 100%; font-size: 13px; }
#findings th { position: sticky; top: 0; background: #f4f5f7; text-align: left; vertical-align: bottom;
  border-bottom: 2px solid var(--line); padding: 6px; }
#findings td { border-bottom: 1px solid var(--line); padding: 6px; vertical-align: top; }
#findings td p { margin: 0 0 4px; } #findings td:nth-child(4), #findings td:nth-child(5) { min-width: 220px; }
#findings td:nth-child(6), #findings td:nth-child(7) { min-width: 90px; }
#findings td:nth-child(8) { min-width: 140px; }
#findings td:nth-child(2) { white-space: nowrap; }
#findings tr.finding:hover { background: #fafbfc; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 4px; color: #fff; white-space: nowrap;
  font-size: 12px; }
.badge.sev-Violation { background: var(--violation); } .badge.sev-Warning { background: var(--warning); }
.badge.sev-Info { background: var(--info); }
.record { font-weight: 600; } small { color: var(--muted); }
@media print { .controls, .hint { display: none; } #findings th { position: static; } }
"""

_SCRIPT = """
(function () {
  'use strict';
  var FACETS = ['article', 'month', 'unit'];
  var labels = JSON.parse(document.getElementById('facet-labels').textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll('#findings tr.finding'));
  var q = document.getElementById('q'), sev = document.getElementById('severity');
  var shown = document.getElementById('shown'), noMatch = document.getElementById('no-match');
  var facetBox = document.getElementById('facet'), facetText = document.getElementById('facet-text');
  var facet = {};

  function params() {
    var p = new URLSearchParams(location.search);
    new URLSearchParams(location.hash.replace(/^#/, '')).forEach(function (v, k) { p.set(k, v); });
    return p;
  }
  function severityOption(value) {
    var wanted = (value || '').toLowerCase();
    for (var i = 0; i < sev.options.length; i++) {
      if (sev.options[i].value.toLowerCase() === wanted) { return sev.options[i].value; }
    }
    return '';
  }
  function apply() {
    var needle = q.value.trim().toLowerCase(), s = sev.value, n = 0, names = [];
    rows.forEach(function (row) {
      var ok = (!s || row.dataset.severity === s) &&
        (!needle || (row.textContent + ' ' + row.dataset.record).toLowerCase().indexOf(needle) >= 0);
      FACETS.forEach(function (k) { if (k in facet && row.dataset[k] !== facet[k]) { ok = false; } });
      row.hidden = !ok;
      if (ok) { n++; }
    });
    FACETS.forEach(function (k) {
      if (k in facet) { names.push((labels[k] && labels[k][facet[k]]) || facet[k]); }
    });
    facetText.textContent = names.join(' · ');
    facetBox.hidden = names.length === 0;
    shown.textContent = String(n);
    if (noMatch) { noMatch.hidden = n !== 0; }
  }
  function load() {
    var p = params();
    q.value = p.get('q') || '';
    sev.value = severityOption(p.get('severity'));
    facet = {};
    FACETS.forEach(function (k) { if (p.has(k)) { facet[k] = p.get(k); } });
    apply();
  }
  function save() {
    var p = new URLSearchParams();
    if (q.value.trim()) { p.set('q', q.value.trim()); }
    if (sev.value) { p.set('severity', sev.value); }
    FACETS.forEach(function (k) { if (k in facet) { p.set(k, facet[k]); } });
    var hash = p.toString();
    try { history.replaceState(null, '', hash ? '#' + hash : location.pathname + location.search); } catch (e) { }
  }
  q.addEventListener('input', function () { apply(); save(); });
  sev.addEventListener('change', function () { apply(); save(); });
  document.getElementById('clear').addEventListener('click', function () {
    q.value = ''; sev.value = ''; facet = {}; apply(); save();
  });
  window.addEventListener('hashchange', function () {
    load();
    document.getElementById('findings-section').scrollIntoView();
  });
  load();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="kb {version}">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<script type="application/json" id="facet-labels">{facets}</script>
<script>{script}</script>
</body>
</html>
"""
