"""OWL 2 RL compiled from the closed TBox into a fixed, ordered program of rules about our classes and properties.

Generic OWL 2 RL reasoners match every rule against every triple in rounds until nothing new follows. Our TBox is
fixed once the readings are chosen, so each axiom becomes one rule that names its classes and properties (a
hasValue restriction on dxo:purpose gives "x a R if x dxo:purpose dxv:purpose-WorkDeployment", and back). The class
and property hierarchies are not rules run in rounds: every conclusion is added at once with all its superclasses
(superproperties), read off the closed TBox (cax-sco, cax-eqc, cls-int2, cls-uni, prp-spo1, prp-eqp).

The rules run in the order of their dependencies: a rule comes after every rule whose conclusions it reads, so one
pass is enough, except inside a strongly connected component (a recursive part such as the chain
dxo:publication <- dxo:issueOf / dxo:publication), which repeats until nothing new follows. A dependency is left out
when what it would carry is already known through the hierarchies: `x a I` concluded from `x a Meeting` and `x a R`
adds nothing to dxo:Meeting for another definition that reads it; an inverse of an inverse gives back its premise.
Without that, every defined subclass of dxo:Meeting would depend on every other, and the program would be one big
round again. owl:sameAs (from functional properties) rewrites everything, so when any is concluded the equality
rules run and the whole program runs again.

Literals are never subjects, as in an RDF store (owlrl keeps a few such triples, none of which leads back to a
record here); a literal's datatype is read where a someValuesFrom restriction admits it (owlrl's dt-type2 with its
datatype subsumptions), and owl:sameAs between literals is kept, as owlrl and `reasonable` do. The rules render as
SPARQL (kb.reasoning.compiled_sparql), and tests prove the triples equal to owlrl's and `reasonable`'s on every
case, example and a benchmark sample, under every profile.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, NamespaceManager

from kb.namespaces import PREFIXES

TYPE, SAME_AS = RDF.type, OWL.sameAs  # looked up once: a namespace attribute costs a call in the loops below
ANON = "urn:kb:anon:"  # the TBox's blank nodes get stable names of this form: their ids change with every parse

# What the closed TBox may hold (kb.reasoning.infer keeps these); anything else stops the compiler rather than being
# silently left out.
HIERARCHY = {RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf, OWL.equivalentProperty}
DEFINITIONS = {OWL.onProperty, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom, OWL.intersectionOf, OWL.unionOf,
               RDF.first, RDF.rest, OWL.inverseOf, OWL.propertyChainAxiom}
CHARACTERISTICS = {OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.FunctionalProperty,
                   OWL.InverseFunctionalProperty}


@dataclass(frozen=True)
class Var:
    """A rule variable (?x): never equal to an IRI or literal, whatever its name."""

    name: str


class T(NamedTuple):
    """A type atom: `subject a cls`."""

    subject: object
    cls: object


class P(NamedTuple):
    """A property atom: `subject prop object`."""

    subject: object
    prop: object
    object: object


X, Y, Z = Var("x"), Var("y"), Var("z")


@dataclass(frozen=True)
class Rule:
    """One specialised OWL 2 RL rule: its kind (the rule of the OWL 2 RL tables), body, head and source axiom."""

    kind: str
    body: tuple
    head: T | P
    axiom: tuple  # the TBox triples it comes from
    datatypes: frozenset = frozenset()  # cls-svf1: the literal datatypes the filler admits
    steps: tuple = ()  # prp-spo2: (property, backwards) per step

    @property
    def concludes(self):
        return self.head.cls if isinstance(self.head, T) else self.head.prop


@dataclass(frozen=True)
class Step:
    """Rules run together: once, or (recursive) until nothing new follows."""

    rules: tuple[Rule, ...]
    recursive: bool


@dataclass
class Program:
    """The compiled rules in execution order, with the hierarchies every conclusion is closed under."""

    steps: tuple[Step, ...]
    up: dict  # class -> itself and its superclasses
    up_p: dict  # property -> itself and its superproperties
    names: dict  # TBox blank node -> stable name (urn:kb:anon:...)
    descriptions: dict  # stable name -> how the blank node is defined, for the comments
    reads: frozenset  # classes and properties some rule reads: the TBox triples that are facts too
    by_object: frozenset  # properties some rule reads by their object: indexed that way too
    tbox: tuple = field(repr=False)  # the closed TBox's triples, with the same blank nodes as the rules
    terms: frozenset = field(repr=False)  # what the closed TBox speaks about: never a record

    @property
    def rules(self) -> list[Rule]:
        return [rule for step in self.steps for rule in step.rules]


# --- compiling --------------------------------------------------------------------------------------------------------

def compile_rules(tbox: Graph) -> Program:
    """The program of the closed TBox `tbox` (kb.reasoning.infer.closed_tbox)."""
    _check_covered(tbox)
    up, up_p = _hierarchy(tbox, classes=True), _hierarchy(tbox, classes=False)
    names, descriptions = _stable_names(tbox, up)
    rules = _rules(tbox, up)
    rules = _useful(_satisfiable(rules, up), up)
    key = {rule: _sort_key(rule, names) for rule in rules}
    rules.sort(key=key.get)
    steps = _order(rules, up, up_p, key)
    reads = frozenset(atom.cls if isinstance(atom, T) else atom.prop for rule in rules for atom in rule.body)
    by_object = frozenset({r.body[0].prop for r in rules if r.kind in ("cls-hv2", "cls-svf1", "prp-ifp")}
                          | {prop for r in rules for prop, backwards in r.steps if backwards})
    return Program(steps, up, up_p, names, descriptions, reads, by_object, tuple(tbox), frozenset(tbox.subjects()))


def _check_covered(tbox: Graph) -> None:
    for s, p, o in tbox:
        known = p in HIERARCHY or p in DEFINITIONS or (p == RDF.type and o in CHARACTERISTICS)
        if not known:
            raise ValueError(f"the compiled rules do not cover the axiom {s.n3()} {p.n3()} {o.n3()}")
    for p in (*tbox.subjects(RDF.type, None), *tbox.objects(None, OWL.onProperty), *tbox.subjects(OWL.inverseOf)):
        if not isinstance(p, URIRef) or p in (RDF.type, OWL.sameAs):
            raise ValueError(f"the compiled rules take named properties other than rdf:type and owl:sameAs: {p}")


def _hierarchy(tbox: Graph, classes: bool) -> dict:
    """Each class (property) with itself and everything above it: the closed TBox's order, closed again here so that
    a TBox closed by another engine works as well. Intersections are below their members, unions above theirs."""
    above: dict = defaultdict(set)
    if classes:
        pairs = [*tbox.subject_objects(RDFS.subClassOf)]
        for c, d in tbox.subject_objects(OWL.equivalentClass):
            pairs += [(c, d), (d, c)]
        for c, head in tbox.subject_objects(OWL.intersectionOf):
            pairs += [(c, member) for member in Collection(tbox, head)]
        for c, head in tbox.subject_objects(OWL.unionOf):
            pairs += [(member, c) for member in Collection(tbox, head)]
    else:
        pairs = [*tbox.subject_objects(RDFS.subPropertyOf)]
        for p, q in tbox.subject_objects(OWL.equivalentProperty):
            pairs += [(p, q), (q, p)]
    for a, b in pairs:
        above[a].add(b)
    closed = {}
    for start in list(above):
        seen, todo = {start}, [start]
        while todo:
            for nxt in above.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        closed[start] = frozenset(seen)
    for node in {b for targets in above.values() for b in targets} - closed.keys():
        closed[node] = frozenset({node})
    return closed


def _rules(tbox: Graph, up: dict) -> list[Rule]:
    """One rule per axiom (two for hasValue and owl:inverseOf), in no particular order."""
    rules = []
    datatype_types = {dt: {dt, *OWL_Datatype_Subsumptions.get(dt, ())} for dt in OWL_RL_Datatypes}
    for r, p in tbox.subject_objects(OWL.onProperty):
        for v in tbox.objects(r, OWL.hasValue):
            axiom = ((r, OWL.onProperty, p), (r, OWL.hasValue, v))
            rules.append(Rule("cls-hv1", (T(X, r),), P(X, p, v), axiom))
            rules.append(Rule("cls-hv2", (P(X, p, v),), T(X, r), axiom))
        for c in tbox.objects(r, OWL.someValuesFrom):
            axiom = ((r, OWL.onProperty, p), (r, OWL.someValuesFrom, c))
            if c == OWL.Thing:
                rules.append(Rule("cls-svf2", (P(X, p, Y),), T(X, r), axiom))
            else:
                admitted = frozenset(dt for dt, types in datatype_types.items()
                                     if any(c in up.get(t, (t,)) for t in types))
                rules.append(Rule("cls-svf1", (P(X, p, Y), T(Y, c)), T(X, r), axiom, datatypes=admitted))
        for c in tbox.objects(r, OWL.allValuesFrom):
            axiom = ((r, OWL.onProperty, p), (r, OWL.allValuesFrom, c))
            rules.append(Rule("cls-avf", (T(X, r), P(X, p, Y)), T(Y, c), axiom))
    for c, head in tbox.subject_objects(OWL.intersectionOf):
        members = tuple(Collection(tbox, head))
        if members:
            rules.append(Rule("cls-int1", tuple(T(X, m) for m in members), T(X, c), ((c, OWL.intersectionOf, head),)))
    for p, q in tbox.subject_objects(OWL.inverseOf):
        axiom = ((p, OWL.inverseOf, q),)
        rules.append(Rule("prp-inv1", (P(X, p, Y),), P(Y, q, X), axiom))
        if p != q:
            rules.append(Rule("prp-inv2", (P(X, q, Y),), P(Y, p, X), axiom))
    for p, kind in tbox.subject_objects(RDF.type):
        axiom = ((p, RDF.type, kind),)
        if kind == OWL.SymmetricProperty:
            rules.append(Rule("prp-symp", (P(X, p, Y),), P(Y, p, X), axiom))
        elif kind == OWL.TransitiveProperty:
            rules.append(Rule("prp-trp", (P(X, p, Y), P(Y, p, Z)), P(X, p, Z), axiom))
        elif kind == OWL.FunctionalProperty:
            rules.append(Rule("prp-fp", (P(X, p, Y), P(X, p, Z)), P(Y, OWL.sameAs, Z), axiom))
        elif kind == OWL.InverseFunctionalProperty:
            rules.append(Rule("prp-ifp", (P(X, p, Z), P(Y, p, Z)), P(X, OWL.sameAs, Y), axiom))
    for p, head in tbox.subject_objects(OWL.propertyChainAxiom):
        steps = tuple(_chain_step(tbox, p, step) for step in Collection(tbox, head))
        variables = [Var(f"v{i}") for i in range(len(steps) + 1)]
        body = tuple(P(variables[i + 1], q, variables[i]) if back else P(variables[i], q, variables[i + 1])
                     for i, (q, back) in enumerate(steps))
        rules.append(Rule("prp-spo2", body, P(variables[0], p, variables[-1]), ((p, OWL.propertyChainAxiom, head),),
                          steps=steps))
    return rules


def _chain_step(tbox: Graph, chained, step) -> tuple[URIRef, bool]:
    inverse = tbox.value(step, OWL.inverseOf) if isinstance(step, BNode) else None
    if isinstance(inverse, URIRef):
        return inverse, True
    if isinstance(step, URIRef):
        return step, False
    raise ValueError(f"the chain of {chained} has a step that is neither a property nor its inverse")


def _satisfiable(rules: list[Rule], up: dict) -> list[Rule]:
    """The rules whose body can hold: a blank-node class has members only through a rule (records name no TBox blank
    node); a named class or a datatype may be given by the records."""
    held = {c for c in up if not isinstance(c, BNode)}
    held = {d for c in held for d in up.get(c, (c,))}
    kept: list[Rule] = []
    pending = list(rules)
    changed = True
    while changed:
        changed = False
        for rule in list(pending):
            if all(not isinstance(a, T) or not isinstance(a.cls, BNode) or a.cls in held or rule.datatypes
                   for a in rule.body):
                kept.append(rule)
                pending.remove(rule)
                if isinstance(rule.head, T):
                    held.update(up.get(rule.head.cls, (rule.head.cls,)))
                changed = True
    return kept


def _useful(rules: list[Rule], up: dict) -> list[Rule]:
    """The rules whose conclusions can be seen: a property, a named class, or a class another useful rule reads."""
    useful: list[Rule] = []
    read: set = set()
    pending = list(rules)
    changed = True
    while changed:
        changed = False
        for rule in list(pending):
            concluded = up.get(rule.concludes, (rule.concludes,)) if isinstance(rule.head, T) else ()
            if isinstance(rule.head, P) or any(not isinstance(c, BNode) or c in read for c in concluded):
                useful.append(rule)
                pending.remove(rule)
                read.update(a.cls for a in rule.body if isinstance(a, T))
                changed = True
    return useful


KIND_ORDER = ("prp-inv1", "prp-inv2", "prp-symp", "prp-trp", "prp-spo2", "cls-hv1", "cls-hv2", "cls-svf1",
              "cls-svf2", "cls-avf", "cls-int1", "prp-fp", "prp-ifp")


def _sort_key(rule: Rule, names: dict) -> tuple:
    """A stable order (the blank nodes by their stable names), so that the printed program diffs well."""
    return (KIND_ORDER.index(rule.kind), tuple(term_text(t, names) for triple in rule.axiom for t in triple))


# --- ordering ---------------------------------------------------------------------------------------------------------

def _order(rules: list[Rule], up: dict, up_p: dict, key: dict) -> tuple[Step, ...]:
    """The strongly connected components of the dependencies, in topological order; ties by the stable order."""
    readers_of_class, readers_of_prop = defaultdict(list), defaultdict(list)
    for rule in rules:
        for atom in rule.body:
            if isinstance(atom, T):
                readers_of_class[atom.cls].append(rule)
            else:
                readers_of_prop[atom.prop].append(rule)
    edges = {rule: [] for rule in rules}
    for producer in rules:
        head = producer.head
        if isinstance(head, P) and head.prop == OWL.sameAs:
            continue  # equality reruns the whole program
        if isinstance(head, T):
            candidates = {id(r): r for c in up.get(head.cls, (head.cls,)) for r in readers_of_class.get(c, ())}
        else:
            candidates = {id(r): r for q in up_p.get(head.prop, (head.prop,)) for r in readers_of_prop.get(q, ())}
        for consumer in candidates.values():
            if any(_carries(producer, atom, consumer, up, up_p) for atom in consumer.body):
                edges[producer].append(consumer)
    components = _tarjan(rules, edges)
    component_of = {rule: i for i, comp in enumerate(components) for rule in comp}
    after: dict = defaultdict(set)
    waiting = [0] * len(components)
    for producer, consumers in edges.items():
        for consumer in consumers:
            a, b = component_of[producer], component_of[consumer]
            if a != b and b not in after[a]:
                after[a].add(b)
                waiting[b] += 1
    first = [min(key[r] for r in comp) for comp in components]
    ready = [(first[i], i) for i in range(len(components)) if waiting[i] == 0]
    heapq.heapify(ready)
    steps = []
    while ready:
        _, i = heapq.heappop(ready)
        comp = sorted(components[i], key=key.get)
        recursive = len(comp) > 1 or comp[0] in edges[comp[0]]
        steps.append(Step(tuple(comp), recursive))
        for j in after[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (first[j], j))
    return tuple(steps)


def _carries(producer: Rule, atom, consumer: Rule, up: dict, up_p: dict) -> bool:
    """Whether a new conclusion of `producer` can give `consumer` something new through its body atom `atom`.

    Not when the fact as `atom` reads it was already known from the producer's own premises (a definition
    `I = Meeting and R` adds no dxo:Meeting), nor when the consumer's conclusion follows from the producer's premises
    and conclusion (hasValue back and forth, an inverse of an inverse). Both through the hierarchies only, which every
    conclusion is closed under as it is added.
    """
    head = producer.head
    if type(head) is not type(atom):
        return False
    binding: dict = {}  # the consumer's variables -> the producer's terms
    constants: dict = {}  # the producer's variables the atom fixes -> constants
    if isinstance(head, T):
        if atom.cls not in up.get(head.cls, (head.cls,)):
            return False
        positions = ((head.subject, atom.subject),)
    else:
        if atom.prop not in up_p.get(head.prop, (head.prop,)):
            return False
        positions = ((head.subject, atom.subject), (head.object, atom.object))
    for theirs, ours in positions:
        if isinstance(ours, Var):
            if binding.setdefault(ours, theirs) != theirs:
                return True  # a join inside the atom: keep the dependency
        elif isinstance(theirs, Var):
            if constants.setdefault(theirs, ours) != ours:
                return False
        elif theirs != ours:
            return False

    def producer_term(term):
        return constants.get(term, term) if isinstance(term, Var) else term

    known = [_substitute(a, producer_term) for a in (*producer.body, head)]
    premises = known[:-1]
    fed = _substitute(head, producer_term)
    fed = T(fed.subject, atom.cls) if isinstance(fed, T) else P(fed.subject, atom.prop, fed.object)
    if _implied(fed, premises, up, up_p):
        return False

    def consumer_term(term):
        if not isinstance(term, Var):
            return term
        return producer_term(binding[term]) if term in binding else None

    concluded = _substitute(consumer.head, consumer_term)
    return None in concluded or not _implied(concluded, known, up, up_p)


def _substitute(atom, term):
    return T(term(atom.subject), atom.cls) if isinstance(atom, T) else P(term(atom.subject), atom.prop,
                                                                          term(atom.object))


def _implied(fact, known, up: dict, up_p: dict) -> bool:
    for k in known:
        if isinstance(fact, T) and isinstance(k, T):
            if k.subject == fact.subject and fact.cls in up.get(k.cls, (k.cls,)):
                return True
        elif (isinstance(fact, P) and isinstance(k, P) and k.subject == fact.subject and k.object == fact.object
              and fact.prop in up_p.get(k.prop, (k.prop,))):
            return True
    return False


def _tarjan(nodes: list, edges: dict) -> list[list]:
    """Strongly connected components (iterative Tarjan: a recursive one would pass Python's depth limit)."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    components: list[list] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges[nxt])))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


# --- stable names of the TBox's blank nodes ---------------------------------------------------------------------------

def namespace_manager() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True)
    manager.bind("foaf", "http://xmlns.com/foaf/0.1/")
    manager.bind("anon", ANON)
    return manager


_MANAGER = namespace_manager()


def term_text(term, names: dict) -> str:
    """A term as the printed rules write it: prefixed, a TBox blank node by its stable name."""
    if isinstance(term, BNode) and term in names:
        return names[term].n3(_MANAGER)
    return term.n3(_MANAGER)


def _stable_names(tbox: Graph, up: dict) -> tuple[dict, dict]:
    """A name for each blank node of the TBox from what defines it (and, should two read alike, from their places in
    the hierarchy), so that the printed rules stay the same from one parse of the TBox to the next."""
    memo: dict = {}

    def describe(node, depth=0) -> str:
        if not isinstance(node, BNode):
            return node.n3(_MANAGER)
        if node in memo:
            return memo[node]
        if depth > 50:
            raise ValueError("a blank node of the TBox describes itself")
        parts = []
        for p, word in ((OWL.intersectionOf, "and"), (OWL.unionOf, "or")):
            for head in tbox.objects(node, p):
                parts.append(f"{word}({' '.join(describe(m, depth + 1) for m in Collection(tbox, head))})")
        for p in tbox.objects(node, OWL.onProperty):
            for q, word in ((OWL.hasValue, "value"), (OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
                parts += [f"{word}({describe(p, depth + 1)} {describe(v, depth + 1)})" for v in tbox.objects(node, q)]
        for q in tbox.objects(node, OWL.inverseOf):
            parts.append(f"inverse({describe(q, depth + 1)})")
        memo[node] = " ".join(sorted(parts)) or "blank"
        return memo[node]

    nodes = sorted({n for triple in tbox for n in triple if isinstance(n, BNode)}, key=describe)
    by_description: dict = defaultdict(list)
    for node in nodes:
        by_description[describe(node)].append(node)
    below: dict = defaultdict(set)
    for c, supers in up.items():
        for d in supers:
            below[d].add(c)
    names, descriptions = {}, {}
    for description, same in by_description.items():
        for node in same:
            key = description
            if len(same) > 1:  # alike: tell them apart by what is above and below them
                key += "|" + " ".join(sorted(describe(c) for c in up.get(node, ())))
                key += "|" + " ".join(sorted(describe(c) for c in below.get(node, ())))
            kind = description.split("(", 1)[0] if "(" in description else "blank"
            names[node] = URIRef(f"{ANON}{kind}-{hashlib.sha1(key.encode()).hexdigest()[:10]}")
            descriptions[names[node]] = description
    return names, descriptions


# --- running ----------------------------------------------------------------------------------------------------------

class Facts:
    """The closure as it grows: members by class, and pairs by property indexed by subject and by object.

    Every fact is added with its superclasses (superproperties): a member of a class is a member of all above it.
    """

    def __init__(self, program: Program):
        self.up, self.up_p, self.by_object = program.up, program.up_p, program.by_object
        self.members: dict = defaultdict(set)
        self.spo: dict = defaultdict(dict)
        self.pos: dict = defaultdict(dict)

    def load(self, triples) -> None:
        types, pairs = defaultdict(set), defaultdict(list)
        for s, p, o in triples:
            if p == TYPE:
                types[o].add(s)
            else:
                pairs[p].append((s, o))
        for cls, nodes in types.items():
            self.add_types(cls, nodes)
        for prop, found in pairs.items():
            self.add_pairs(prop, found)

    def add_types(self, cls, nodes) -> bool:
        new = set(nodes) - self.members[cls]
        if not new:
            return False
        for above in self.up.get(cls, (cls,)):
            self.members[above] |= new
        return True

    def add_pairs(self, prop, pairs) -> bool:
        new = _insert(self.spo[prop], pairs)
        if not new:
            return False
        for q in self.up_p.get(prop, (prop,)):
            if q != prop:
                _insert(self.spo[q], new)
            if q in self.by_object:
                _insert(self.pos[q], [(o, s) for s, o in new])
        return True

    def pairs(self, prop):
        return [(s, o) for s, objects in self.spo.get(prop, {}).items() for o in objects]

    def triples(self, named: bool = False):
        """Every fact as a triple; `named`: only the types of named classes (the others are the TBox's own)."""
        for cls, nodes in self.members.items():
            if named and isinstance(cls, BNode):
                continue
            for node in nodes:
                yield node, TYPE, cls
        for prop, by_subject in self.spo.items():
            for s, objects in by_subject.items():
                for o in objects:
                    yield s, prop, o


def _insert(index: dict, pairs) -> list:
    """Add (key, value) pairs to an index of sets; return those that were not there."""
    new = []
    for key, value in pairs:
        values = index.get(key)
        if values is None:
            index[key] = {value}
        elif value in values:
            continue
        else:
            values.add(value)
        new.append((key, value))
    return new


def _apply(rule: Rule, facts: Facts) -> bool:
    """Run one rule over all the facts at once; whether it added anything."""
    kind, body, head = rule.kind, rule.body, rule.head
    members, spo, pos = facts.members, facts.spo, facts.pos
    if kind == "cls-hv1":
        nodes = members.get(body[0].cls)
        return bool(nodes) and facts.add_pairs(head.prop, [(x, head.object) for x in nodes])
    if kind == "cls-hv2":
        nodes = pos.get(body[0].prop, {}).get(body[0].object)
        return bool(nodes) and facts.add_types(head.cls, nodes)
    if kind == "cls-svf2":
        by_subject = spo.get(body[0].prop)
        return bool(by_subject) and facts.add_types(head.cls, [x for x in by_subject if not isinstance(x, Literal)])
    if kind == "cls-svf1":
        by_subject = spo.get(body[0].prop)
        if not by_subject:
            return False
        filler = members.get(body[1].cls, set())
        if rule.datatypes:
            datatypes = rule.datatypes
            nodes = [x for x, ys in by_subject.items()
                     if any(y in filler or (isinstance(y, Literal) and y.datatype in datatypes) for y in ys)]
        elif len(filler) < len(by_subject):
            by_object = pos[body[0].prop]
            nodes = {x for y in filler for x in by_object.get(y, ())}
        else:
            nodes = [x for x, ys in by_subject.items() if not filler.isdisjoint(ys)]
        return facts.add_types(head.cls, [x for x in nodes if not isinstance(x, Literal)])
    if kind == "cls-int1":
        sets = sorted((members.get(atom.cls, set()) for atom in body), key=len)
        nodes = sets[0].intersection(*sets[1:])
        return bool(nodes) and facts.add_types(head.cls, nodes)
    if kind == "cls-avf":
        restricted, by_subject = members.get(body[0].cls, set()), spo.get(body[1].prop, {})
        values = {y for x in restricted if x in by_subject for y in by_subject[x] if not isinstance(y, Literal)}
        return bool(values) and facts.add_types(head.cls, values)
    if kind in ("prp-inv1", "prp-inv2", "prp-symp"):
        reversed_pairs = [(o, s) for s, o in facts.pairs(body[0].prop) if not isinstance(o, Literal)]
        return facts.add_pairs(head.prop, reversed_pairs)
    if kind == "prp-trp":
        changed = False
        while True:
            by_subject = spo.get(head.prop, {})
            new = [(x, z) for x, ys in by_subject.items() for y in list(ys) for z in by_subject.get(y, ())
                   if z not in ys]
            if not (new and facts.add_pairs(head.prop, new)):
                return changed
            changed = True
    if kind == "prp-spo2":
        return facts.add_pairs(head.prop, _walk(rule.steps, facts))
    if kind == "prp-fp":
        same = [(y1, y2) for objects in spo.get(body[0].prop, {}).values() if len(objects) > 1
                for y1 in objects for y2 in objects if y1 != y2]
        return bool(same) and facts.add_pairs(SAME_AS, same)
    if kind == "prp-ifp":
        same = [(x1, x2) for subjects in pos.get(body[0].prop, {}).values() if len(subjects) > 1
                for x1 in subjects for x2 in subjects if x1 != x2]
        return bool(same) and facts.add_pairs(SAME_AS, same)
    raise ValueError(f"no executor for the rule kind {kind}")


def _walk(steps, facts: Facts) -> list[tuple]:
    """The chain's (start, end) pairs: a join of its steps, each read forwards or backwards."""
    first, backwards = steps[0]
    index = facts.pos if backwards else facts.spo
    reached = {(x, y) for x, ys in index.get(first, {}).items() if not isinstance(x, Literal) for y in ys}
    for prop, backwards in steps[1:]:
        onward = (facts.pos if backwards else facts.spo).get(prop, {})
        reached = {(x, z) for x, y in reached for z in onward.get(y, ())}
        if not reached:
            break
    return list(reached)


def run(program: Program, triples) -> Facts:
    """The closure of `triples` (records, derived facts) under the program: the facts, as classes and pairs."""
    facts = Facts(program)
    facts.load(triples)
    facts.load(t for t in program.tbox if (t[2] if t[1] == TYPE else t[1]) in program.reads)
    while True:
        for step in program.steps:
            if step.recursive:
                while any([_apply(rule, facts) for rule in step.rules]):
                    pass
            else:
                for rule in step.rules:
                    _apply(rule, facts)
        if not _equality(facts, program):
            return facts


def _equality(facts: Facts, program: Program) -> bool:
    """eq-sym, eq-trans, eq-rep-s, eq-rep-p, eq-rep-o over the owl:sameAs concluded so far; whether they added
    anything (then the program runs again). Literals take part, as in owlrl, but are never made subjects."""
    parent: dict = {}

    def find(node):
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])
            node = parent[node]
        return node

    for s, o in facts.pairs(SAME_AS):
        if s != o:
            a, b = find(s), find(o)
            if a != b:
                parent[a] = b
    if not parent:
        return False
    groups: dict = defaultdict(set)
    for node in list(parent):
        groups[find(node)].add(node)
    for root, group in groups.items():
        group.add(root)
    same = {node: group for group in groups.values() for node in group}

    def alike(node):
        return same.get(node, (node,))

    changed = False
    for group in groups.values():
        changed |= facts.add_pairs(SAME_AS, [(a, b) for a in group for b in group
                                                if a != b and not isinstance(a, Literal)])
    tbox_about = [t for t in program.tbox if t[0] in same or t[2] in same]
    for s, p, o in [*facts.triples(), *tbox_about]:
        if s in same or p in same or o in same:
            for s2 in alike(s):
                if isinstance(s2, Literal):
                    continue
                for p2 in alike(p):
                    for o2 in alike(o):
                        if p2 == TYPE:
                            changed |= facts.add_types(o2, (s2,))
                        elif isinstance(p2, URIRef):
                            changed |= facts.add_pairs(p2, ((s2, o2),))
    return changed
