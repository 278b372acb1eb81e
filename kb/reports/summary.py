"""The counts that head every report of an outcome: sources, records, findings by severity, input errors."""

from __future__ import annotations

from collections import Counter

from kb.checking.pipeline import Outcome

SEVERITIES = ("Violation", "Warning", "Info")


def summary(outcome: Outcome) -> dict:
    counts = Counter(f.severity for f in outcome.findings)
    return {
        "sources": len(outcome.sources),
        "records": len({f.record for f in outcome.findings} | outcome.records),
        **{severity.lower(): counts.get(severity, 0) for severity in SEVERITIES},
        "not_recorded": sum(1 for f in outcome.findings if f.missing),
        "input_errors": len(outcome.errors),
        "not_in_force": len(outcome.not_in_force),
    }

