"""The report formats `kb validate --format` names, each a function from an outcome to text."""

from __future__ import annotations

from kb.reports.html import as_html
from kb.reports.text import as_json, as_text, as_turtle

FORMATS = {"text": as_text, "json": as_json, "turtle": as_turtle, "html": as_html}
