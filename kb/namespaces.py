"""Every IRI base the knowledge base uses, defined once.

The bases are persistent (w3id-style) and kept apart by kind: ontology terms, SKOS concepts,
provisions of the regulation, shapes, calendar days and instance data.
"""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://w3id.org/daxing-zuofeng/"

DXO = Namespace(BASE + "ontology/")
DXV = Namespace(BASE + "vocab/")
DXP = Namespace(BASE + "provision/")
DXS = Namespace(BASE + "shape/")
DXCAL = Namespace(BASE + "calendar/")
DXD = Namespace(BASE + "id/")
KBG = Namespace(BASE + "graph/")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
CPEV = Namespace("http://data.europa.eu/m8g/")

PREFIXES = {
    "dxo": DXO,
    "dxv": DXV,
    "dxp": DXP,
    "dxs": DXS,
    "dxcal": DXCAL,
    "dxd": DXD,
    "eli": ELI,
    "org": ORG,
    "schema": SCHEMA,
    "cv": CPEV,
    "dct": DCTERMS,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "sh": SH,
    "skos": SKOS,
    "time": TIME,
    "xsd": XSD,
}

PREFIX_IRIS = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}  # for writers that take strings


def bind_prefixes(graph):
    """Bind our prefixes on a graph so serialisations read well."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph
