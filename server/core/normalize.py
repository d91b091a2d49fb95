"""Comparison keys for the mapping options.

Every key is trimmed and NFKC-normalised, so a full-width digit or a
non-breaking space compares equal to its plain form. Emails and usernames are
also casefolded. Names are casefolded, stripped of accents and have their
inner whitespace collapsed. A blank value gives the key ``""``, which the
matcher never matches.
"""

from __future__ import annotations

import unicodedata


def clean_text(value: str | None) -> str:
    """Trim a value and apply NFKC normalisation. None becomes ``""``."""
    if not value:
        return ""

    return unicodedata.normalize("NFKC", value).strip()


def id_key(value: str | None) -> str:
    """Build the key of an ID: trimmed and NFKC only, so case and zeros count.

    ``004512`` and ``4512`` are different IDs, because SIS numbers and Unique
    IDs are text and a leading zero is part of them.
    """
    return clean_text(value)


def email_key(value: str | None) -> str:
    """Build the key of an email address: trimmed, NFKC and casefolded."""
    if not value:
        return ""

    return unicodedata.normalize("NFKC", value).strip().casefold()


def username_key(value: str | None) -> str:
    """Build the key of a username: trimmed, NFKC and casefolded."""
    return email_key(value)


def name_part_key(value: str | None) -> str:
    """Build the key of one part of a name.

    The part is casefolded, decomposed (NFKD) with its combining marks dropped,
    so "José" equals "jose", and runs of whitespace become one space.
    """
    text = clean_text(value).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))

    return " ".join(without_marks.split())


def name_key(first_name: str | None, last_name: str | None) -> str:
    """Build the key of a person's first and last name.

    Both parts must be present: a first name alone, or a last name alone, is
    shared by too many people to link accounts on, so it gives ``""``.
    """
    first = name_part_key(first_name)
    last = name_part_key(last_name)
    if not first or not last:
        return ""

    # A unit separator keeps "ann marie" + "lee" apart from "ann" + "marie lee".
    return f"{first}\x1f{last}"
