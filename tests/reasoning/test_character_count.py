"""Characters are counted as the catalogue's P_charCount convention says, for the 120/1500-character limits."""

import pytest

from kb.reasoning.derive import character_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("区政府召开专题会", 8),
        ("区政府 召开\n专题会", 8),  # whitespace does not count
        ("《大兴信息》", 6),  # full-width punctuation counts
        ("2024年第3次会议", 7),  # a run of digits counts as one
        ("ABC公司", 3),  # a run of Latin letters counts as one
        ("", 0),
    ],
)
def test_character_count(text: str, expected: int):
    assert character_count(text) == expected
