"""Pick the suggestions that "accept suggestions above a score" fills in.

The web page and the add-in's task pane call this on the Mapping sheet's
values and write the result into the Integration-Mapping ID cells. Nothing
here changes the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..errors import DataPrepError
from ..layout import COLUMN_INDEX, MAPPING_ID, SCENARIO, SIS_LOCAL_ID, cell_text

SUGGESTED_ID = COLUMN_INDEX["Suggested Local ID"]
SUGGESTION_SCORE = COLUMN_INDEX["Suggestion Score"]


def _score(value) -> float | None:
    """Read a Suggestion Score cell, or None when it contains no number."""
    if isinstance(value, bool):
        return None

    if isinstance(value, int | float):
        return float(value)

    try:
        return float(cell_text(value))
    except ValueError:
        return None


def check_min_score(min_score) -> float:
    """Return the minimum score as a number, or raise if it is not 0 to 100."""
    score = _score(min_score)
    if score is None or not 0 <= score <= 100:
        raise DataPrepError(
            f"Minimum suggestion score {min_score!r} is invalid: "
            "enter a number from 0 to 100."
        )

    return score


def accept_suggestions(
    value_rows: Sequence[Sequence], min_score
) -> list[tuple[int, str]]:
    """Return ``(row index, local ID)`` for each suggestion safe to accept.

    ``value_rows`` are Mapping sheet rows in column order, as ``row_values``
    writes them or as read back; the index is the position in that list. A
    row is accepted when it is in scenario 2, its Integration-Mapping ID is
    empty, and its top suggestion scores ``min_score`` or more. A suggestion
    is never accepted when another row suggests the same SIS user, maps to it
    already in its Integration-Mapping ID, or links it in scenario 1.
    """
    threshold = check_min_score(min_score)
    suggested = Counter(
        cell_text(values[SUGGESTED_ID]).strip()
        for values in value_rows
        if len(values) > SUGGESTION_SCORE
    )
    already_mapped = {cell_text(values[MAPPING_ID]).strip() for values in value_rows}
    already_mapped.update(
        cell_text(values[SIS_LOCAL_ID]).strip()
        for values in value_rows
        if cell_text(values[SCENARIO]).strip() == "1"
    )

    accepted = []
    for index, values in enumerate(value_rows):
        if len(values) <= SUGGESTION_SCORE:
            continue

        local_id = cell_text(values[SUGGESTED_ID]).strip()
        score = _score(values[SUGGESTION_SCORE])
        if (
            cell_text(values[SCENARIO]).strip() == "2"
            and not cell_text(values[MAPPING_ID]).strip()
            and local_id
            and score is not None
            and score >= threshold
            and suggested[local_id] == 1
            and local_id not in already_mapped
        ):
            accepted.append((index, local_id))

    return accepted
