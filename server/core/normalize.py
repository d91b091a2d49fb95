"""Comparison keys for the mapping options.

Every key is trimmed and NFKC-normalised, so a full-width digit or a
non-breaking space compares equal to its plain form, and invisible format
characters such as a right-to-left mark are dropped. Emails and usernames are
also casefolded. Names are casefolded, stripped of accents and have their
inner whitespace collapsed. A blank value gives the key ``""``, which the
matcher never matches.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible format characters that exports carry by accident: the soft hyphen,
# zero-width spaces and joiners, direction marks and embeddings, word joiners
# and the byte order mark. Two values that differ only by them look equal in
# every spreadsheet, so the keys leave them out.
INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)


def show_invisible(text: str) -> str:
    """Write each invisible character of ``text`` as ``<U+200B>`` for a message.

    Control and format characters and whitespace other than the plain space
    look like nothing, or like a space, in a message and in Excel.
    """
    if text.isascii() and text.isprintable():
        return text

    return "".join(
        char
        if char == " " or (char.isprintable() and not char.isspace())
        else f"<U+{ord(char):04X}>"
        for char in text
    )


def clean_text(value: str | None) -> str:
    """Trim a value, apply NFKC and drop INVISIBLE characters. None becomes ``""``."""
    if not value:
        return ""

    if not value.isascii():
        value = INVISIBLE.sub("", unicodedata.normalize("NFKC", value))

    return value.strip()


def id_key(value: str | None) -> str:
    """Build the key of an ID: only trimmed and cleaned, so case and zeros count.

    ``004512`` and ``4512`` are different IDs, because SIS numbers and Unique
    IDs are text and a leading zero is part of them.
    """
    return clean_text(value)


def email_key(value: str | None) -> str:
    """Build the key of an email address: trimmed, NFKC and casefolded."""
    text = clean_text(value)
    folded = text.casefold()

    # Most addresses are lower case already. Returning the value itself then
    # saves a copy of every address while the matcher indexes them.
    return text if folded == text else folded


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
