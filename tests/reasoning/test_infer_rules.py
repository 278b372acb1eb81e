"""`kb infer-rules` prints the inference rules compiled from the ontology as SPARQL that a reviewer can read and diff:
every rule parses, names the OWL 2 RL rule it specialises and the axiom it comes from, and the text follows the
readings (a profile that changes the axioms changes the rules) but not the accidents of a parse."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache

from rdflib.plugins.sparql import prepareQuery

from kb.reasoning import compiled, compiled_sparql, infer, readings

# Every kind of rule the closed TBox of our ontology gives (allValuesFrom, transitive and inverse-functional
# properties are compiled too, but the ontology has none).
KINDS = {"cax-sco", "prp-spo1", "cls-hv1", "cls-hv2", "cls-svf1", "cls-svf2", "cls-int1", "prp-inv1", "prp-inv2",
         "prp-symp", "prp-spo2", "prp-fp", "eq-sym", "eq-trans", "eq-rep-s", "eq-rep-p", "eq-rep-o"}


def kb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, timeout=600)


@cache
def printed(profile: str) -> str:
    run = kb("infer-rules", "--profile", profile)
    assert run.returncode == 0, run.stderr
    return run.stdout


def blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The PREFIX lines, and each rule as (comment, query)."""
    header, prefixes, *rules = text.split("\n\n")
    assert header.startswith("# OWL 2 RL compiled") and prefixes.startswith("PREFIX")
    split = []
    for rule in rules:
        lines = rule.strip("\n").split("\n")
        comment = [line for line in lines if line.startswith("#")]
        split.append(("\n".join(comment), "\n".join(lines[len(comment):])))
    return prefixes + "\n", split


def test_every_printed_rule_parses_as_sparql_and_names_its_owl_2_rl_rule_and_axiom():
    prefixes, rules = blocks(printed("default"))
    assert len(rules) > 500
    kinds = set()
    for number, (comment, query) in enumerate(rules, start=1):
        heading = re.match(r"# \[(\d+)\] ([a-z0-9-]+): ", comment)
        assert heading and int(heading[1]) == number, comment
        kinds.add(heading[2])
        assert "\n#   from: " in comment or heading[2].startswith("eq-"), comment
        assert query.startswith("CONSTRUCT {"), query
        prepareQuery(prefixes + query)
    assert kinds == KINDS


def test_the_rules_name_the_axioms_they_come_from():
    text = printed("default")
    assert "dxo:attendee owl:propertyChainAxiom ( dxo:participation dxo:participant )" in text
    assert "dxo:compiles owl:inverseOf dxo:compiledBy" in text
    # A hasValue restriction with its definition beside its stable name, and the definition of a meeting that
    # deploys work which reads it, concluding the class with its superclasses
    hv2 = next(block for block in text.split("\n\n") if "cls-hv2" in block and "dxv:purpose-WorkDeployment" in block)
    name = re.search(r"(anon:value-[0-9a-f]{10}) = value\(dxo:purpose dxv:purpose-WorkDeployment\)", hv2)[1]
    assert f"CONSTRUCT {{ ?x a {name} }} WHERE {{ ?x dxo:purpose dxv:purpose-WorkDeployment . }}" in hv2
    int1 = next(block for block in text.split("\n\n") if "cls-int1" in block and f"?x a {name} ." in block)
    assert "?x a dxo:Meeting ." in int1 and "dxo:DeploymentMeeting" in int1.split("VALUES")[1]


def test_a_profile_that_changes_the_axioms_changes_the_printed_rules():
    default, broad = (set(rule for _, rule in blocks(printed(profile))[1]) for profile in ("default", "broad"))
    assert default - broad and broad - default
    assert "P_leadingCadreScope = withSectionChiefs" in printed("broad").split("PREFIX")[0]


def test_the_printed_rules_are_the_same_from_one_parse_of_the_tbox_to_the_next():
    """The TBox's blank nodes get new ids with every parse of the cached file; the printed names must not. (The
    program kept on disk, which `kb` reads, prints the same as one compiled from a fresh parse.)"""
    choices = readings.resolve("default")
    kept = compiled_sparql.render(infer.compiled_rules(choices), "default")
    infer.closed_tbox.cache_clear()
    try:
        fresh = compiled.compile_rules(infer.closed_tbox(choices).graph)
    finally:
        infer.closed_tbox.cache_clear()
    assert compiled_sparql.render(fresh, "default") == kept


def test_an_unknown_profile_is_a_usage_error():
    run = kb("infer-rules", "--profile", "nowhere")
    assert run.returncode == 2 and "unknown profile" in run.stderr
