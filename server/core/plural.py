"""Counts in messages, with the words that agree with them."""

from __future__ import annotations


def counted(count: int, one: str, many: str | None = None) -> str:
    """Write a count and the words that agree with it: "1 file", "2 files".

    ``many`` defaults to ``one`` and an "s", which fits regular nouns. Pass it
    for other plurals, or for a noun and its verb: ``counted(n, "row has",
    "rows have")``. The count gets thousands separators.
    """
    words = one if count == 1 else (many or one + "s")

    return f"{count:,} {words}"
