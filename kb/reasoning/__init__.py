"""Reasoning: what follows from the records, under the chosen readings of the regulation.

Takes records, the ontology and the readings (`readings`: which interpretation of an open provision applies); gives
the inferred graph (`infer`: derived facts and the OWL 2 RL closure, kept apart from the records), the provisions in
force on a record's date (`in_force`) and the working days a batch speaks about (`calendar`).
"""
