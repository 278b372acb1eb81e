"""Publishing: the knowledge base for others.

Takes the knowledge base (regulation, shapes, records and their results, as a `dataset.Published` Oxigraph store);
gives a read-only SPARQL endpoint and HTML pages (`serve`, `pages`, queries answered in `workers` by `answers`) and
dumps with their description (`export`). `web/` holds the pages' templates and the query UI.
"""
