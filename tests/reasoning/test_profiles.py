"""Interpretation settings and profiles are data (data/profiles/settings.trig), and change verdicts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rdflib.namespace import DCTERMS, SKOS

from kb import resources
from kb.namespaces import DXO
from kb.reasoning import readings


def test_every_setting_has_alternatives_a_default_among_them_and_a_graph_for_each():
    graph = readings.dataset().default_graph
    assert len(readings.settings()) >= 4
    for name, setting in readings.settings().items():
        options = readings.alternatives(setting)
        assert len(options) >= 2, name
        assert graph.value(setting, DXO.defaultAlternative) in options.values(), name
        for value, alternative in options.items():  # a default may be the baseline that adds nothing
            is_default = alternative == graph.value(setting, DXO.defaultAlternative)
            assert len(readings.dataset().graph(alternative)) > 0 or is_default, f"{name}={value} adds nothing"


def test_every_setting_names_provisions_that_exist():
    regulation = resources.regulation()
    for name, setting in readings.settings().items():
        subjects = list(readings.dataset().default_graph.objects(setting, DCTERMS.subject))
        assert subjects, name
        assert all((s, SKOS.notation, None) in regulation for s in subjects), name


def test_profiles_choose_existing_alternatives_and_the_default_profile_chooses_defaults():
    assert all(choice.is_default for choice in readings.resolve("default"))
    for name in readings.profiles():
        assert {c.setting for c in readings.resolve(name)} == set(readings.settings())
    broad = {c.setting: c.alternative for c in readings.resolve("broad")}
    assert broad["P_A08_45_scope"] == "allMeetings"


def test_an_override_wins_over_the_profile():
    chosen = {c.setting: c.alternative
              for c in readings.resolve("broad", {"P_A08_45_scope": "specialTopicOnly"})}
    assert chosen["P_A08_45_scope"] == "specialTopicOnly"


@pytest.mark.parametrize(("profile", "overrides", "word"), [
    ("nope", {}, "profile"), ("default", {"P_nope": "x"}, "setting"), ("default", {"P_A08_45_scope": "x"}, "value")])
def test_unknown_names_say_what_exists(profile, overrides, word):
    with pytest.raises(readings.SettingError, match=word):
        readings.resolve(profile, overrides)


def test_the_same_record_gets_two_verdicts_under_two_profiles_and_the_reading_is_shown(tmp_path):
    record = [{"id": "plan/2024", "type": "AnnualMeetingPlan", "year": "2024", "adopted": "2024-01-15"},
              {"id": "meeting/exec-13", "type": "Meeting", "kind": "ExecutiveMeeting", "plan": "plan/2024",
               "start": "2024-03-12T09:00:00+08:00", "minutes": 150,
               "speeches": [{"kind": "LeaderSpeech", "speaker": "person/zhou-ming", "minutes": 30}]}]
    path = tmp_path / "exec.json"
    path.write_text(json.dumps(record), encoding="utf-8")

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "kb.cli", "validate", str(path), *extra],
                              capture_output=True, text=True, timeout=300)

    default, broad = run(), run("--profile", "broad")
    assert default.returncode == 0 and broad.returncode == 1
    assert "P_A08_45_scope = allMeetings (every meeting, the executive meeting included)" in broad.stdout
    assert "reading  P_A08_45_scope = allMeetings" in broad.stdout  # on the finding itself
    report = json.loads(run("--profile", "broad", "--format", "json").stdout)
    assert report["profile"]["settings"]["P_A08_45_scope"] == "allMeetings"
    assert report["findings"][0]["readings"] == [
        "P_A08_45_scope = allMeetings (every meeting, the executive meeting included)"]
    assert run("--profile", "nope").returncode == 2


def test_every_alternative_that_is_not_a_default_is_judged_by_some_case():
    """A reading nobody tests could silently do nothing: each non-default alternative has a case run under it."""
    from pathlib import Path

    used = set()
    for path in (Path(__file__).resolve().parents[1] / "cases").glob("*/*.json"):
        case = json.loads(path.read_text(encoding="utf-8"))
        if "profile" in case or "settings" in case:
            used |= {(c.setting, c.alternative) for c in readings.resolve(case.get("profile", "default"),
                                                                         case.get("settings"))}
    missing = [f"{name}={value}" for name, setting in readings.settings().items()
               for value, alternative in readings.alternatives(setting).items()
               if (name, value) not in used and alternative != readings.dataset().default_graph.value(
                   setting, DXO.defaultAlternative)]
    assert not missing, "alternatives no case runs under: " + ", ".join(sorted(missing))
