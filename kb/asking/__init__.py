"""Asking: questions put to the knowledge graph.

Takes the knowledge graph (the regulation, ontology, shapes and calendar, with records, inferences and results);
gives answers: the library queries (`query`, guarded by `sparql_guard`), the rules that apply to a situation and how
each was judged (`rules`), why a finding was raised (`explain`) and what the shapes cover (`coverage`).
"""
