"""Counts in messages with the words that agree with them."""

import pytest

from server.core.plural import counted


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 files"), (1, "1 file"), (2, "2 files"), (12345, "12,345 files")],
)
def test_counted_regular_noun(count, expected):
    assert counted(count, "file") == expected


@pytest.mark.parametrize(("count", "expected"), [(1, "1 row has"), (3, "3 rows have")])
def test_counted_noun_and_verb(count, expected):
    assert counted(count, "row has", "rows have") == expected
