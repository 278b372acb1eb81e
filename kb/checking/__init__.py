"""Checking: the records against the regulation's SHACL shapes.

Takes records, their inferences and the shapes; gives findings (`findings.Finding`, one per result, with the
provision and a message), the outcome of a run (`pipeline.Outcome`) and results as RDF (`results`). The shapes are
compiled to SPARQL and run on Oxigraph (`compiler`), pySHACL is the reference and the fallback; a fact a rule needs
that was not recorded is unknown, not false (`missing`).
"""
