"""The totals line that dataprep apply prints before it asks to confirm."""

from types import SimpleNamespace

import pytest

from server.commands.updates import print_plan


@pytest.mark.parametrize(
    ("totals", "line"),
    [
        (
            {"change": 1, "unchanged": 1, "blank": 1, "skipped": 1},
            "1 Unique ID changes, 1 is already linked, 1 row has no ID, 1 user left "
            "Schoology.",
        ),
        (
            {"change": 2, "unchanged": 0, "blank": 1200, "skipped": 3},
            "2 Unique IDs change, 0 are already linked, 1,200 rows have no ID, 3 "
            "users left Schoology.",
        ),
    ],
)
def test_plan_totals_agree(capsys, totals, line):
    print_plan(SimpleNamespace(changes=[], totals=totals))

    assert capsys.readouterr().out == line + "\n"
