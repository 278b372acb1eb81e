"""The report formats `kb validate --format` names, each a function from an outcome to text."""

from __future__ import annotations

from kb.reports.text import as_json, as_text, as_turtle


def as_html(outcome) -> str:
    """The HTML report, its module (and Jinja2) imported only when asked for: a third of a second at start-up."""
    from kb.reports.html import as_html as write

    return write(outcome)


FORMATS = {"text": as_text, "json": as_json, "turtle": as_turtle, "html": as_html}
