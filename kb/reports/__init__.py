"""Reports: an outcome written for people and programs.

Takes a validation outcome or the rules of a situation; gives text, JSON, Turtle (`text`) or a self-contained HTML
page (`html`), chosen by name in `formats.FORMATS`, and the `kb rules` report (`rules_report`).
"""
