"""A nested object's `kind` takes its own field's vocabulary, not the one of the object around it.

The story (issue 12, section 3): `kind` inside `meals` is the meal kind, and JSON-LD carries a property-scoped
context into every object nested below it. A side activity recorded inside a meal (`meals[].sideActivities[]`)
therefore read its `kind` as a meal kind (dxv:meal-FitnessActivity, in no scheme), so A09.7 could not see a
high-consumption entertainment laid on with a meeting's meal. `sideActivities` now scopes `kind` to the event-kind
scheme wherever it appears; a venue's and a speech's `kind` were already scoped by their own fields.
"""

from __future__ import annotations

import json

from kb.namespaces import DXO, DXV
from kb.records.load import parse_text

MEETING = {
    "id": "meeting/nested-kinds", "type": "Meeting", "kind": "WorkConference",
    "meals": [{"kind": "Buffet", "venue": {"kind": "GovernmentCanteen"},
               "dishes": [{"name": "清炒时蔬", "highEnd": False}],
               "drinks": [{"name": "茅台酒", "highEnd": True, "alcoholic": True}],
               "sideActivities": [{"title": "餐后KTV", "kind": "HighConsumptionEntertainment"}]}],
    "speeches": [{"kind": "LeaderSpeech", "speakerAs": {"role": "DistrictMayor"}}],
}


def kinds() -> dict:
    graph, errors = parse_text(json.dumps(MEETING), ".json", "nested-kinds")
    assert not errors, [str(e) for e in errors]
    found: dict = {}
    for prop in (DXO.eventKind, DXO.mealKind, DXO.venueKind, DXO.speechKind):
        found[prop] = {o for o in graph.objects(None, prop)}
    return found


def test_side_activity_inside_a_meal_has_an_event_kind():
    found = kinds()
    assert DXV["event-HighConsumptionEntertainment"] in found[DXO.eventKind]
    assert not any("HighConsumption" in str(kind) for kind in found[DXO.mealKind])


def test_each_nested_kind_keeps_its_own_scheme():
    found = kinds()
    assert found[DXO.mealKind] == {DXV["meal-Buffet"]}
    assert found[DXO.venueKind] == {DXV["venue-GovernmentCanteen"]}
    assert found[DXO.speechKind] == {DXV["speech-LeaderSpeech"]}
    assert DXV["event-WorkConference"] in found[DXO.eventKind]


def test_a_meeting_meal_carries_dishes_and_drinks():
    graph, _ = parse_text(json.dumps(MEETING), ".json", "nested-kinds")
    meal = next(graph.objects(None, DXO.workMeal))
    assert len(set(graph.objects(meal, DXO.dish))) == 1
    drink = graph.value(meal, DXO.drink)
    assert graph.value(drink, DXO.highEnd).toPython() is True
