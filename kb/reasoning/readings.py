"""Interpretation settings and profiles: which reading of an open sentence or parameter applies.

The settings, their alternatives and the profiles are data (data/profiles/settings.trig): an alternative is a
named graph of axioms or shape parameters, added to the ontology and the shapes when it is chosen. A profile
chooses alternatives; a setting it does not mention takes its default; `--set NAME=VALUE` overrides one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kb import resources
from kb.namespaces import DXO

SETTINGS_FILE = resources.HOME / "data" / "profiles" / "settings.trig"


class SettingError(ValueError):
    """An unknown profile, setting or alternative; the message lists what exists."""


@dataclass(frozen=True, order=True)
class Choice:
    """One setting with the alternative chosen for it."""

    setting: str
    alternative: str
    iri: URIRef
    is_default: bool

    def describe(self, lang: str = "en") -> str:
        return f"{self.setting} = {self.alternative} ({label(self.iri, lang)})"


@cache
def dataset() -> Dataset:
    data = Dataset()
    data.parse(SETTINGS_FILE, format="trig")
    return data


def _default_graph() -> Graph:
    return dataset().default_graph


def label(node, lang: str) -> str:
    """A setting's, alternative's or profile's label in a language, else its notation."""
    for value in _default_graph().objects(node, RDFS.label):
        if getattr(value, "language", None) == lang:
            return str(value)
    return str(_default_graph().value(node, SKOS.notation) or node)


def _by_notation(kind) -> dict[str, URIRef]:
    graph = _default_graph()
    return {str(graph.value(node, SKOS.notation)): node for node in graph.subjects(RDF.type, kind)}


def profiles() -> dict[str, URIRef]:
    return _by_notation(DXO.Profile)


def settings() -> dict[str, URIRef]:
    return _by_notation(DXO.InterpretationSetting)


def alternatives(setting: URIRef) -> dict[str, URIRef]:
    graph = _default_graph()
    return {str(graph.value(alt, SKOS.notation)): alt for alt in graph.objects(setting, DXO.alternative)}


def resolve(profile: str = "default", overrides: dict[str, str] | None = None) -> tuple[Choice, ...]:
    """The alternative chosen for every setting under `profile`, with `overrides` applied last."""
    graph = _default_graph()
    known = profiles()
    if profile not in known:
        raise SettingError(f"unknown profile {profile!r}; expected one of: {', '.join(sorted(known))}")
    chosen = {setting: graph.value(setting, DXO.defaultAlternative) for setting in settings().values()}
    for alternative in graph.objects(known[profile], DXO.choice):
        chosen[graph.value(predicate=DXO.alternative, object=alternative)] = alternative
    for name, value in (overrides or {}).items():
        setting = settings().get(name)
        if setting is None:
            raise SettingError(f"unknown setting {name!r}; expected one of: {', '.join(sorted(settings()))}")
        options = alternatives(setting)
        if value not in options:
            raise SettingError(f"unknown value {value!r} for {name}; expected one of: {', '.join(sorted(options))}")
        chosen[setting] = options[value]
    return tuple(sorted(
        Choice(str(graph.value(setting, SKOS.notation)), str(graph.value(alt, SKOS.notation)), alt,
               alt == graph.value(setting, DXO.defaultAlternative))
        for setting, alt in chosen.items()))


DEFAULT = "default"


@cache
def axioms(choices: tuple[Choice, ...]) -> Graph:
    """Everything the chosen alternatives add to the ontology and the shapes."""
    added = Graph()
    for choice in choices:
        added += dataset().graph(choice.iri)
    return added


@cache
def shapes(choices: tuple[Choice, ...]) -> Graph:
    """The shapes with the chosen alternatives' parameters, kept pickled: then their blank nodes have the same
    labels in every process, so the checks compiled from them can be kept too (kb.checking.pipeline)."""
    def build() -> Graph:
        graph = Graph()
        graph += resources.shapes()
        graph += axioms(choices)
        return graph
    return resources.kept("shapes", shapes_key(choices), build)


def shapes_key(choices: tuple[Choice, ...]) -> bytes:
    """Every input of the shapes under these readings (their files, the settings, the chosen alternatives), as a
    key for `resources.kept` of what is read off them."""
    files = [*sorted(resources.SHAPES_DIR.glob("*.ttl")), SETTINGS_FILE]
    return resources.files_key(files) + " ".join(str(choice.iri) for choice in choices).encode()


def readings_for(provision, choices: tuple[Choice, ...]) -> list[Choice]:
    """The chosen alternatives of the settings that concern a provision (dct:subject)."""
    graph = _default_graph()
    return [c for c in choices
            if (graph.value(predicate=DXO.alternative, object=c.iri), DCTERMS.subject, provision) in graph]
