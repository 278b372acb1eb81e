"""The compiled rules (kb.reasoning.compiled) written out as SPARQL CONSTRUCT queries, and run as written on Oxigraph.

`kb infer-rules` prints them in execution order, so that what the reasoner does can be read, reviewed and diffed
when the ontology or a reading changes. Each rule says which OWL 2 RL rule it specialises and the axiom it comes
from; the TBox's blank nodes have stable names (urn:kb:anon:...) with their definitions beside them. The engine
"compiled-sparql" of kb.reasoning.infer runs these very texts, which proves the text is what the rules do (a test
compares it with the Python executor). Oxigraph stores no literal as a subject, so owl:sameAs between two literals
(from a functional data property with two values) is the one conclusion only the Python executor keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF

from kb.reasoning.compiled import ANON, Program, Rule, T, Var, namespace_manager, term_text
from kb.terms import LiteralRestorer, oxigraph_term, rdflib_term

KIND_TEXT = {
    "cax-sco": "class hierarchy: a member of a class is a member of every class above it",
    "prp-spo1": "property hierarchy: a statement with a property holds with every property above it",
    "cls-hv1": "hasValue, from the class to the value",
    "cls-hv2": "hasValue, from the value to the class",
    "cls-svf1": "someValuesFrom a class (or a datatype: a literal of it)",
    "cls-svf2": "someValuesFrom owl:Thing: any value",
    "cls-avf": "allValuesFrom",
    "cls-int1": "intersectionOf: a member of every class of the list",
    "prp-inv1": "inverseOf, forwards",
    "prp-inv2": "inverseOf, backwards",
    "prp-symp": "symmetric property",
    "prp-trp": "transitive property",
    "prp-spo2": "property chain",
    "prp-fp": "functional property: its values are the same",
    "prp-ifp": "inverse-functional property: its subjects are the same",
    "eq-sym": "owl:sameAs is symmetric",
    "eq-trans": "owl:sameAs is transitive",
    "eq-rep-s": "what is said of a subject is said of the same",
    "eq-rep-p": "what is said with a property is said with the same",
    "eq-rep-o": "what is said of an object is said of the same",
}

EQUALITY = (
    ("eq-sym", "CONSTRUCT { ?y owl:sameAs ?x } WHERE { ?x owl:sameAs ?y }"),
    ("eq-trans", "CONSTRUCT { ?x owl:sameAs ?z } WHERE { ?x owl:sameAs ?y . ?y owl:sameAs ?z "
                 "FILTER (!sameTerm(?x, ?z)) }"),
    ("eq-rep-s", "CONSTRUCT { ?y ?p ?o } WHERE { ?x owl:sameAs ?y FILTER (!sameTerm(?x, ?y)) ?x ?p ?o }"),
    ("eq-rep-p", "CONSTRUCT { ?s ?y ?o } WHERE { ?x owl:sameAs ?y FILTER (!sameTerm(?x, ?y)) ?s ?x ?o }"),
    ("eq-rep-o", "CONSTRUCT { ?s ?p ?y } WHERE { ?x owl:sameAs ?y FILTER (!sameTerm(?x, ?y)) ?s ?p ?x }"),
)


@dataclass(frozen=True)
class Written:
    """One rule as text: its number in execution order, kind, comment and query."""

    number: int
    kind: str
    comment: str
    query: str
    phase: str  # "closure" (the records' own facts, first), "rules", "equality" (when owl:sameAs was concluded)
    step: int = 0
    recursive: bool = False

    def text(self) -> str:
        return f"{self.comment}\n{self.query}\n"


def prefixes() -> str:
    manager = namespace_manager()
    return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in sorted(manager.namespaces()) if prefix)


def written(program: Program) -> list[Written]:
    """Every rule in the order it runs: the closure of the records' own facts, the rules, then equality."""
    names = program.names
    out: list[Written] = []
    below = _named_below(program.up)
    for cls in sorted(below, key=lambda c: term_text(c, names)):
        query = (f"CONSTRUCT {{ ?x a {term_text(cls, names)} }} WHERE {{ ?x a ?class .\n"
                 f"  {_values('class', below[cls], names)} }}")
        comment = _comment(len(out) + 1, "cax-sco", f"the subclasses of {term_text(cls, names)}", program, [cls])
        out.append(Written(len(out) + 1, "cax-sco", comment, query, "closure"))
    if len(program.up.get(OWL.Nothing, ())) > 1:  # below every class: one rule rather than a word in every list
        query = (f"CONSTRUCT {{ ?x a ?class }} WHERE {{ ?x a owl:Nothing .\n"
                 f"  {_values('class', set(program.up[OWL.Nothing]) - {OWL.Nothing}, names)} }}")
        comment = _comment(len(out) + 1, "cax-sco", "owl:Nothing rdfs:subClassOf every class (scm-cls)", program, [])
        out.append(Written(len(out) + 1, "cax-sco", comment, query, "closure"))
    below_p = _named_below(program.up_p)
    for prop in sorted(below_p, key=lambda c: term_text(c, names)):
        query = (f"CONSTRUCT {{ ?x {term_text(prop, names)} ?y }} WHERE {{ ?x ?property ?y .\n"
                 f"  {_values('property', below_p[prop], names)} }}")
        comment = _comment(len(out) + 1, "prp-spo1", f"the subproperties of {term_text(prop, names)}", program, [])
        out.append(Written(len(out) + 1, "prp-spo1", comment, query, "closure"))
    for number, step in enumerate(program.steps, start=1):
        for rule in step.rules:
            terms = [t for atom in (*rule.body, rule.head) for t in atom if isinstance(t, BNode)]
            comment = _comment(len(out) + 1, rule.kind, _axiom(rule, names), program, terms)
            if step.recursive:
                comment += f"\n#   step {number} repeats until nothing new follows ({len(step.rules)} rule(s))"
            out.append(Written(len(out) + 1, rule.kind, comment, _query(rule, program), "rules", number,
                               step.recursive))
    for kind, query in EQUALITY:
        comment = (f"# [{len(out) + 1}] {kind}: {KIND_TEXT[kind]}\n"
                   "#   only once some owl:sameAs is known; then the program runs again from the first rule")
        out.append(Written(len(out) + 1, kind, comment, query, "equality"))
    return out


def render(program: Program, title: str) -> str:
    """The whole program as one text: a header, the prefixes, every rule in execution order."""
    rules = written(program)
    steps = len(program.steps)
    recursive = sum(step.recursive for step in program.steps)
    header = (f"# OWL 2 RL compiled from the closed TBox: {title}\n"
              f"# {len(rules)} rules in execution order: {sum(r.phase == 'closure' for r in rules)} close the "
              f"records' own types and properties;\n# {len(program.rules)} run in {steps} steps in the order of "
              f"their dependencies ({recursive} step(s) repeat until nothing new follows); "
              f"{len(EQUALITY)} for owl:sameAs.\n"
              "# Each conclusion is added with every class (property) above it: the VALUES lists.\n"
              "# Generated by `kb infer-rules`: do not edit; change the ontology or the readings.\n")
    return header + "\n" + prefixes() + "".join("\n" + rule.text() for rule in rules)


def _values(var: str, terms, names: dict, width: int = 116) -> str:
    """A VALUES clause of these terms, sorted, wrapped to lines of about `width` characters."""
    lines, line = [], f"VALUES ?{var} {{"
    for text in sorted(term_text(t, names) for t in terms):
        if len(line) + len(text) + 1 > width:
            lines.append(line)
            line = "   "
        line += " " + text
    return "\n  ".join([*lines, line + " }"])


def _named_below(up: dict) -> dict:
    """Each class (property) with the named ones strictly below it (owl:Nothing aside): what records may assert."""
    below: dict = {}
    for node, supers in up.items():
        if isinstance(node, URIRef) and node != OWL.Nothing:
            for above in supers:
                if above != node:
                    below.setdefault(above, set()).add(node)
    return below


def _comment(number: int, kind: str, source: str, program: Program, terms) -> str:
    lines = [f"# [{number}] {kind}: {KIND_TEXT[kind]}", f"#   from: {source}"]
    names = program.names
    for term in dict.fromkeys(terms):
        if isinstance(term, BNode):
            name = names[term]
            same = sorted(term_text(c, names) for c in program.up.get(term, ())
                          if isinstance(c, URIRef) and term in program.up.get(c, ()))
            lines.append(f"#   {term_text(term, names)} = {program.descriptions[name]}"
                         + (f"  (equivalent to {', '.join(same)})" if same else ""))
    return "\n".join(lines)


def _axiom(rule: Rule, names: dict) -> str:
    def n3(term):
        return term_text(term, names)

    first = rule.axiom[0]
    if rule.kind in ("cls-hv1", "cls-hv2", "cls-svf1", "cls-svf2", "cls-avf"):
        (r, _, p), (_, q, v) = rule.axiom
        return f"{n3(r)} owl:onProperty {n3(p)} ; {n3(q)} {n3(v)}"
    if rule.kind == "cls-int1":
        return f"{n3(first[0])} owl:intersectionOf ( {' '.join(n3(a.cls) for a in rule.body)} )"
    if rule.kind == "prp-spo2":
        steps = " ".join(f"[ owl:inverseOf {n3(p)} ]" if back else n3(p) for p, back in rule.steps)
        return f"{n3(first[0])} owl:propertyChainAxiom ( {steps} )"
    return " ".join(n3(t) for t in first)


def _query(rule: Rule, program: Program) -> str:
    names = program.names

    def n3(term):
        return f"?{term.name}" if isinstance(term, Var) else term_text(term, names)

    def pattern(atom):
        if isinstance(atom, T):
            return f"{n3(atom.subject)} a {n3(atom.cls)} ."
        return f"{n3(atom.subject)} {n3(atom.prop)} {n3(atom.object)} ."

    body = " ".join(pattern(atom) for atom in rule.body)
    if rule.kind == "cls-svf1" and rule.datatypes:
        values = ", ".join(sorted(term_text(d, names) for d in rule.datatypes))
        prop = rule.body[0]
        body = (f"{{ {body} }} UNION {{ {pattern(prop)} "
                f"FILTER (isLiteral({n3(prop.object)}) && datatype({n3(prop.object)}) IN ({values})) }}")
    if rule.kind in ("prp-fp", "prp-ifp"):
        body += f" FILTER (!sameTerm({n3(rule.head.subject)}, {n3(rule.head.object)}))"
    elif rule.kind in ("prp-inv1", "prp-inv2", "prp-symp", "cls-avf", "prp-spo2"):
        body += f" FILTER (!isLiteral({n3(rule.head.subject)}))"
    head = rule.head
    if isinstance(head, T):
        above = program.up.get(head.cls, (head.cls,))
        if len(above) == 1:
            return f"CONSTRUCT {{ {n3(head.subject)} a {n3(head.cls)} }} WHERE {{ {body} }}"
        return (f"CONSTRUCT {{ {n3(head.subject)} a ?class }} WHERE {{ {body}\n"
                f"  {_values('class', above, names)} }}")
    above = program.up_p.get(head.prop, (head.prop,))
    if len(above) == 1:
        return f"CONSTRUCT {{ {n3(head.subject)} {n3(head.prop)} {n3(head.object)} }} WHERE {{ {body} }}"
    return (f"CONSTRUCT {{ {n3(head.subject)} ?property {n3(head.object)} }} WHERE {{ {body}\n"
            f"  {_values('property', above, names)} }}")


# --- running the texts ------------------------------------------------------------------------------------------------

def run(program: Program, records: Graph) -> list[tuple]:
    """The closure of `records` (with the derived facts) by the written rules on Oxigraph, as rdflib triples."""
    store = ox.Store()
    store.bulk_extend(ox.parse(records.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES))
    names = program.names
    store.extend(ox.Quad(*(oxigraph_term(names.get(t, t)) for t in triple), ox.DefaultGraph())
                 for triple in program.tbox if (triple[2] if triple[1] == RDF.type else triple[1]) in program.reads)
    rules = written(program)
    head = prefixes()
    queries = {rule.number: head + rule.query for rule in rules}
    while True:
        for rule in rules:
            if rule.phase == "closure":
                _construct(store, queries[rule.number])
        step_rules: dict = {}
        for rule in rules:
            if rule.phase == "rules":
                step_rules.setdefault(rule.step, []).append(rule)
        for members in step_rules.values():
            while any([_construct(store, queries[rule.number]) for rule in members]) and members[0].recursive:
                pass
        if not any([_construct(store, queries[rule.number]) for rule in rules if rule.phase == "equality"]):
            break
    restore = LiteralRestorer(records, Graph())  # Oxigraph writes "+00:00" as "Z": keep the records' own literals
    closure = []
    for quad in store:
        o = restore(rdflib_term(quad.object))
        if isinstance(o, URIRef) and o.startswith(ANON):
            continue
        closure.append((rdflib_term(quad.subject), rdflib_term(quad.predicate), o))
    return closure


def _construct(store: ox.Store, query: str) -> bool:
    """Run one CONSTRUCT and add what it gives; whether anything was new."""
    new = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in store.query(query)
           if not isinstance(t.subject, ox.Literal)]
    new = [q for q in new if q not in store]
    store.extend(new)
    return bool(new)

