"""The shape of a user mapping report: its rows, columns, sheets and digest.

The workbook writer, the CSV writer, validation and the add-in all read the
layout from here, so a column is added or renamed in one place.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from .model import SchoologyUser, SisUser

FORMAT_VERSION = 1

MAPPING_SHEET = "Mapping"
SIS_USERS_SHEET = "SIS Users"
SUMMARY_SHEET = "Summary"
META_SHEET = "_dataprep"
ALTERNATES_SHEET = "Suggestions"

# Excel's row limit. The Mapping sheet spends two rows on headers: the band over
# the Schoology and SIS sides, then the column names.
EXCEL_MAX_ROWS = 1_048_576
HEADER_ROWS = 2
MAX_DATA_ROWS = EXCEL_MAX_ROWS - HEADER_ROWS

SCHOOLOGY_BAND = "Schoology"
SIS_BAND = "SIS"
MAPPING_BAND = "Mapping"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the Mapping sheet.

    ``locked`` columns are covered by sheet protection and by the digest.
    ``is_id`` columns use the Text number format.
    """

    name: str
    band: str
    width: int
    is_id: bool = False
    locked: bool = True


SCHOOLOGY_COLUMNS = (
    Column("Schoology User ID", SCHOOLOGY_BAND, 18, is_id=True),
    Column("First Name", SCHOOLOGY_BAND, 14),
    Column("Middle Name", SCHOOLOGY_BAND, 12),
    Column("Last Name", SCHOOLOGY_BAND, 16),
    Column("Username", SCHOOLOGY_BAND, 16),
    Column("E-mail", SCHOOLOGY_BAND, 28),
    Column("User Unique ID", SCHOOLOGY_BAND, 18, is_id=True),
    Column("Role", SCHOOLOGY_BAND, 10),
    Column("Building or School", SCHOOLOGY_BAND, 20),
    Column("Grad Year", SCHOOLOGY_BAND, 9),
    Column("Schoology Matching", SCHOOLOGY_BAND, 28),
)

SIS_COLUMNS = (
    Column("SIS Local ID", SIS_BAND, 16, is_id=True),
    Column("SIS First Name", SIS_BAND, 14),
    Column("SIS Middle Name", SIS_BAND, 12),
    Column("SIS Last Name", SIS_BAND, 16),
    Column("SIS Username", SIS_BAND, 16),
    Column("SIS E-mail", SIS_BAND, 28),
    Column("SIS Number", SIS_BAND, 16, is_id=True),
    Column("SIS Role", SIS_BAND, 10),
    Column("SIS School", SIS_BAND, 20),
    Column("SIS Grade", SIS_BAND, 9),
    Column("SIS Matching", SIS_BAND, 28),
)

MAPPING_COLUMNS = (
    Column("Integration-Mapping ID", MAPPING_BAND, 22, is_id=True, locked=False),
    Column("Scenario", MAPPING_BAND, 9),
    Column("Status", MAPPING_BAND, 40),
    Column("Match Note", MAPPING_BAND, 40),
    Column("Suggested Local ID", MAPPING_BAND, 18, is_id=True),
    Column("Suggestion Score", MAPPING_BAND, 10),
    Column("Suggestion Reason", MAPPING_BAND, 48),
)

COLUMNS = SCHOOLOGY_COLUMNS + SIS_COLUMNS + MAPPING_COLUMNS
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
COLUMN_INDEX = {name: index for index, name in enumerate(COLUMN_NAMES)}

SCHOOLOGY_ID = COLUMN_INDEX["Schoology User ID"]
SIS_LOCAL_ID = COLUMN_INDEX["SIS Local ID"]
MAPPING_ID = COLUMN_INDEX["Integration-Mapping ID"]
SCENARIO = COLUMN_INDEX["Scenario"]
STATUS = COLUMN_INDEX["Status"]

# The status column is the tool's own to write (validation results, the
# add-in's outcome), so it is left out of the digest like the mapping ID.
DIGEST_EXCLUDED = frozenset({MAPPING_ID, STATUS})
DIGEST_COLUMNS = tuple(i for i in range(len(COLUMNS)) if i not in DIGEST_EXCLUDED)


@dataclass(slots=True)
class Suggestion:
    """A proposed SIS user for a scenario 2 row, scored 0 to 100."""

    local_id: str
    score: int
    reason: str


@dataclass(slots=True)
class ReportRow:
    """One row of the Mapping sheet.

    Scenario 1 has both users and ``mapping_id`` equal to the SIS local ID.
    Scenario 2 has only the Schoology user, scenario 3 only the SIS user.
    ``matched_by`` is the mapping option that matched, or ``"linked"`` for a
    Schoology user whose Unique ID already is the SIS local ID.
    ``schoology_value`` and ``sis_value`` fill the two Matching columns.
    ``suggestions`` is an empty tuple until suggestions are added, so that a
    million rows do not each hold an empty list.
    """

    scenario: int
    schoology: SchoologyUser | None = None
    sis: SisUser | None = None
    mapping_id: str = ""
    matched_by: str = ""
    schoology_value: str = ""
    sis_value: str = ""
    note: str = ""
    suggestions: Sequence[Suggestion] = ()


def row_values(row: ReportRow) -> list[str | int | None]:
    """Return the row's cells in column order; empty cells are ``None``.

    Every ID is a string. The scenario and the suggestion score are ints.
    """
    s = row.schoology
    p = row.sis
    best = row.suggestions[0] if row.suggestions else None
    values: list[str | int | None] = []
    if s is None:
        values.extend([None] * len(SCHOOLOGY_COLUMNS))
    else:
        values.extend(
            [
                s.schoology_id,
                s.first_name,
                s.middle_name,
                s.last_name,
                s.username,
                s.email,
                s.unique_id,
                s.role_name,
                s.school,
                s.grad_year,
                row.schoology_value,
            ]
        )

    if p is None:
        values.extend([None] * len(SIS_COLUMNS))
    else:
        values.extend(
            [
                p.local_id,
                p.first_name,
                p.middle_name,
                p.last_name,
                p.username,
                p.email,
                p.number,
                p.role_name,
                p.school,
                p.grade,
                row.sis_value,
            ]
        )

    values.extend(
        [
            row.mapping_id,
            row.scenario,
            None,
            row.note,
            best.local_id if best else None,
            best.score if best else None,
            best.reason if best else None,
        ]
    )

    return [None if value == "" else value for value in values]


def row_key(values) -> str:
    """Return the key that identifies a row however the sheet is sorted.

    It is the Schoology User ID and the SIS Local ID, either of which may be
    empty. ``values`` is a row in column order as written or as read back.
    """
    return f"{cell_text(values[SCHOOLOGY_ID])}|{cell_text(values[SIS_LOCAL_ID])}"


def cell_text(value) -> str:
    """Return a cell value as the text that the digest and comparisons use."""
    if value is None:
        return ""

    if isinstance(value, float) and value.is_integer():
        return str(int(value))

    return str(value)


_digest_cells = operator.itemgetter(*DIGEST_COLUMNS)


def row_digest(values) -> int:
    """Hash the locked cells of one row into a 256-bit integer."""
    # Most cells are strings already, which cell_text would return unchanged.
    text = "\x1f".join(
        [v if type(v) is str else cell_text(v) for v in _digest_cells(values)]
    )
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


class ContentDigest:
    """An order-independent digest of a report's locked content.

    The row hashes are added modulo 2**256, so sorting or filtering the sheet
    does not change the digest but editing, adding or removing a row does.
    """

    def __init__(self):
        self.total = 0
        self.rows = 0

    def add(self, values) -> None:
        self.total = (self.total + row_digest(values)) % (1 << 256)
        self.rows += 1

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def mapping_sheet_name(index: int) -> str:
    """Name the n-th Mapping sheet (0-based): Mapping, Mapping 2, Mapping 3."""
    return MAPPING_SHEET if index == 0 else f"{MAPPING_SHEET} {index + 1}"
