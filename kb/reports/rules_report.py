"""`kb rules` as text: per record, the provisions grouped by outcome, each with its article and clause."""

from __future__ import annotations

from itertools import groupby

from kb.asking.rules import OUTCOMES, Rule

NOT_CHECKABLE = "not checkable from records"

HEADINGS = {
    "violated": "违反 / violated",
    "warning": "警示 / warning",
    "not enough data": "数据不足 / not enough data",
    "passed": "符合 / passed",
    "not applicable": "不适用 / not applicable",
}


def _order(rule: Rule) -> tuple:
    article, _, sub = rule.notation[1:].partition(".")
    return int(article), int(sub) if sub.isdigit() else 0


def as_text(rules: list[Rule], show_not_applicable: bool = False) -> str:
    lines = []
    for record, of_record in groupby(rules, key=lambda r: r.record):
        of_record = list(of_record)
        counts = ", ".join(f"{sum(r.outcome == o for r in of_record)} {o}" for o in OUTCOMES)
        lines += [record, f"  {counts}", ""]
        for outcome in OUTCOMES:
            chosen = sorted((r for r in of_record if r.outcome == outcome), key=_order)
            if not chosen or (outcome == "not applicable" and not show_not_applicable):
                continue
            lines.append(f"  {HEADINGS[outcome]} ({len(chosen)})")
            unjudgeable = [r for r in chosen if r.missing.startswith(NOT_CHECKABLE)]
            for rule in (r for r in chosen if r not in unjudgeable):
                lines.append(f"    {rule.notation:<7} 第{rule.article}条  {rule.clause_zh}")
                lines.append(f"            {rule.clause_en}")
                if rule.shapes and outcome != "not applicable":
                    lines.append(f"            shapes: {', '.join(rule.shapes)}")
                if rule.missing:
                    lines.append(f"            missing: {rule.missing}")
            if unjudgeable:
                lines.append("    不可由记录检查 / not checkable from records (judgements, rules outside this text):")
                lines.append("      " + ", ".join(r.notation for r in unjudgeable))
            lines.append("")
        if not show_not_applicable:
            lines.append("  (--all also lists the provisions that do not apply)")
            lines.append("")
    return "\n".join(lines) + "\n"
