"""Clean an Integration-Mapping ID as read from a cell, and spot Excel's damage.

Excel turns an ID typed into a General cell into a number, which drops leading
zeros and, past 15 significant digits, the last digits too. A CSV round trip
can leave that number as text such as ``4512.0`` or ``1.23E+16``. A Text cell
keeps a leading apostrophe as part of the value. Each case gets a problem
sentence, and where the digits survived, the key to guess the intended ID from.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from ..readback import UnsavedFormula

# Excel stores numbers as IEEE doubles and shows at most 15 significant digits.
EXCEL_DIGITS = 15
# Characters that str.strip() keeps but that a copy from a web page or a PDF
# brings along: zero-width space, zero-width no-break space (BOM), word joiner.
INVISIBLE = "\u200b\ufeff\u2060"
APOSTROPHES = "'\u2018\u2019"
SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
WHOLE_NUMBER_TEXT = re.compile(r"(\d+)[.,]0+")

TEXT_FIX = "Format the Integration-Mapping ID column as Text and type the ID again."


@dataclass(slots=True)
class CleanId:
    """An Integration-Mapping ID after trimming.

    ``text`` is the ID to check, or "" when the cell is blank or unusable.
    ``problem`` completes a sentence that starts with the cell and the value.
    ``key`` is what to guess the intended ID from, when the digits survived.
    ``fix`` is the instruction to show when there is no guess.
    """

    text: str
    problem: str = ""
    key: str = ""
    fix: str = TEXT_FIX


def clean_mapping_id(value) -> CleanId:
    """Trim a cell value, and describe why it cannot be an ID when it cannot."""
    if type(value) is str:
        return _clean_text(value)

    if value is None:
        return CleanId("")

    if isinstance(value, bool):
        return CleanId("", problem="is a TRUE/FALSE value, not an ID")

    if isinstance(value, (int, float)):
        return _clean_number(value)

    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        return CleanId("", problem="is a date or time that Excel made of the ID")

    if isinstance(value, UnsavedFormula):
        return CleanId(
            "",
            problem=(
                "is a formula whose value was never calculated, because the "
                "program that saved the file did not run it"
            ),
            fix=(
                "Type the local ID itself as text, or open the workbook in Excel "
                "and save it so that the formula is calculated."
            ),
        )

    return _clean_text(str(value))


def _clean_number(value: int | float) -> CleanId:
    if isinstance(value, float) and not math.isfinite(value):
        return CleanId("", problem="is not a number Excel can store")

    if isinstance(value, float) and not value.is_integer():
        return CleanId("", problem="is a number with decimals, not an ID")

    digits = str(int(value))
    if len(digits.lstrip("-")) > EXCEL_DIGITS:
        return CleanId(
            "",
            problem=(
                f"is a number of {len(digits)} digits, but Excel keeps only "
                f"{EXCEL_DIGITS} significant digits, so the last digits of the ID "
                "are lost and cannot be restored"
            ),
        )

    return CleanId(
        "",
        problem=(
            "is stored as a number, so Excel may have dropped leading zeros and a "
            "number cannot restore them"
        ),
        key=digits,
    )


def _clean_text(raw: str) -> CleanId:
    text = raw.strip()
    if text[-1:] in INVISIBLE or text[:1] in INVISIBLE:
        text = text.strip(INVISIBLE).strip()
    if not text:
        return CleanId("")

    # A local ID has a one-digit role prefix and an underscore, which no
    # number, scientific notation or apostrophe prefix has: skip the checks.
    if text[1:2] == "_" and text[0].isdigit():
        return CleanId(text)

    if text[0] in APOSTROPHES:
        bare = text.lstrip(APOSTROPHES).strip()
        return CleanId(
            "",
            problem=(
                "starts with an apostrophe, which a Text cell keeps as part of the ID"
            ),
            key=bare,
            fix="Type the ID without the apostrophe.",
        )

    if SCIENTIFIC.fullmatch(text):
        return CleanId(
            "",
            problem=(
                "is a number in scientific notation that Excel made of a long ID, so "
                "its digits are lost and cannot be restored"
            ),
        )

    whole = WHOLE_NUMBER_TEXT.fullmatch(text)
    if whole:
        return CleanId(
            "",
            problem=(
                "is a number that Excel converted to text, so leading zeros may be "
                "lost and a number cannot restore them"
            ),
            key=whole.group(1),
        )

    return CleanId(text)
