"""RDF terms between rdflib and Oxigraph, shared by every step that runs SPARQL on Oxigraph.

The reasoner's SPARQL rules, the compiled shape checks and the checks pushed to a server all read rows from Oxigraph
and hand rdflib terms on; Oxigraph keeps literals in canonical form, so `LiteralRestorer` gives back the data's own.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node


def rdflib_term(node) -> Node | None:
    """An Oxigraph term as rdflib reads it, the lexical form of a literal kept as it is (None stays None)."""
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if node.language:
        return Literal(node.value, lang=node.language)
    if node.datatype.value == str(XSD.string):
        return Literal(node.value)
    return Literal(node.value, datatype=URIRef(node.datatype.value), normalize=False)


def oxigraph_term(node: Node):
    """An rdflib term as Oxigraph's."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if node.language:
        return ox.Literal(str(node), language=node.language)
    return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string)))


class LiteralRestorer:
    """Gives back the data's own literals: Oxigraph keeps values in canonical form ("4.0"^^xsd:decimal as "4",
    "+00:00" as "Z"), pySHACL reports and writes into messages the literal as the data has it."""

    def __init__(self, data: Graph, shapes: Graph):
        self.data, self.shapes = data, shapes
        self.canonical: dict[Literal, Literal] | None = None

    def __call__(self, node):
        if not isinstance(node, Literal) or not node.datatype or node.datatype == XSD.string:
            return node
        if (None, None, node) in self.data or (None, SH.targetNode, node) in self.shapes:
            return node
        if self.canonical is None:
            self.canonical = self._canonical_forms()
        return self.canonical.get(node, node)

    def _canonical_forms(self) -> dict[Literal, Literal]:
        """Each typed literal of the data as Oxigraph writes it, mapped to the data's own (one bulk round trip)."""
        originals = {o for o in self.data.objects() if isinstance(o, Literal) and o.datatype}
        originals |= {o for o in self.shapes.objects(None, SH.targetNode) if isinstance(o, Literal) and o.datatype}
        by_subject = {f"urn:kb:literal:{i}": original for i, original in enumerate(originals)}
        store = ox.Store()
        store.extend(ox.Quad(ox.NamedNode(s), ox.NamedNode("urn:kb:is"), oxigraph_term(o))
                     for s, o in by_subject.items())
        canonical: dict[Literal, Literal] = {}
        for quad in store:
            canonical.setdefault(rdflib_term(quad.object), by_subject[quad.subject.value])
        return canonical
