"""The rules for the Integration-Mapping ID, the one column staff edit.

A clean ID must be a SIS local ID in the current snapshot whose prefix fits
the Schoology user's role, on one row only, and not the Unique ID of another
Schoology user already. A scenario 1 row's ID must equal its SIS Local ID,
and a scenario 3 row has no Schoology user to carry one.
"""

from __future__ import annotations

import unicodedata

from .. import layout
from ..model import PREFIX_ROLES, Role, local_id_role
from ..normalize import show_invisible
from ..readback import UploadedReport, UploadedRow
from .context import SisPerson, ValidationContext
from .ids import INVISIBLE, clean_mapping_id
from .result import ERROR, WARNING, Issue, RowResult

ROLE_WORDS = {
    Role.STUDENT: "a student",
    Role.STAFF: "a teacher or staff member",
    Role.PARENT: "a parent or guardian",
}
ID_KINDS = {
    Role.STUDENT: "a student ID",
    Role.STAFF: "a teacher or staff ID",
    Role.PARENT: "a parent or guardian ID",
}
PREFIX_HELP = "1_ for a student, 2_ for a teacher or staff, 3_ for a parent or guardian"
# A duplicated ID names at most this many other cells in each row's message.
MAX_OTHER_CELLS = 5
# A longer cell value is cut in messages, with its length, so that a pasted
# page of text does not become the message.
MAX_QUOTED = 80


def quote(value) -> str:
    """Show a cell value in a message: ``'1_4512'``, or "an empty cell".

    Invisible characters, such as a zero-width space pasted from a web page,
    are shown as ``<U+200B>``, so that the reader sees why the ID differs.
    """
    text = layout.cell_text(value)
    if not text:
        return "an empty cell"

    length = ""
    if len(text) > MAX_QUOTED:
        length = f" ({len(text):,} characters)"
        text = text[: MAX_QUOTED - 20] + "…"

    return f"'{show_invisible(text)}'{length}"


def lookalike_hint(local_id: str) -> str:
    """Name a character of an ID that only looks like a Latin letter or digit.

    A Cyrillic Т or a full-width 1 pasted from elsewhere makes an ID that
    reads exactly like the right one.
    """
    for char in local_id:
        if not char.isascii() and char.isalnum():
            name = unicodedata.name(char, "unnamed")
            return (
                f" It contains '{char}' (U+{ord(char):04X} {name}), which is not a "
                "Latin letter or digit."
            )

    return ""


class MappingIdChecker:
    """Check each row's Integration-Mapping ID, remembering the IDs used so far."""

    def __init__(self, uploaded: UploadedReport, context: ValidationContext):
        self.uploaded = uploaded
        self.context = context
        self.sis = context.sis
        self.links = context.links
        self.first_use: dict[str, int] = {}
        self.repeats: dict[str, list[int]] = {}

    def check(
        self,
        index: int,
        row: UploadedRow,
        result: RowResult,
        scenario: int,
        schoology_id: str,
        row_local_id: str,
        role: Role | None,
        row_person: SisPerson | None = None,
    ) -> None:
        """Check the ID of uploaded row ``index`` and record it in ``result``.

        ``row_person`` is the current SIS person of the row's own SIS Local ID,
        which the caller has looked up already.
        """
        raw = row.values[layout.MAPPING_ID]
        if raw is None:
            if scenario == 1:
                self._cleared(row, result, schoology_id, row_local_id)
            return

        # Most rows hold a clean ID that passes every rule, so test that first
        # with plain lookups and take the detailed path only on a failure.
        if type(raw) is str and schoology_id:
            local_id = raw.strip()
            if (
                local_id[1:2] == "_"
                and local_id[:1].isdigit()
                and local_id[-1:] not in INVISIBLE
            ):
                result.mapping_id = local_id
                first = self.first_use.setdefault(local_id, index)
                if first != index:
                    self.repeats.setdefault(local_id, [first]).append(index)
                if local_id == row_local_id and row_person is not None:
                    person = row_person
                else:
                    person = self.sis.get(local_id)
                id_role = PREFIX_ROLES.get(local_id[0])
                holder = self.links.get(local_id)
                if (
                    person is not None
                    and id_role is not None
                    and len(local_id) > 2
                    and (role is None or id_role is role)
                    and (scenario != 1 or local_id == row_local_id)
                    and (holder is None or holder == schoology_id)
                ):
                    return

                message = self._value_problem(
                    local_id, scenario, row_local_id, schoology_id, role
                )
                if message:
                    self._error(row, result, message)
                return

        self._check_other(
            index, row, result, raw, scenario, schoology_id, row_local_id, role
        )

    def _check_other(
        self, index, row, result, raw, scenario, schoology_id, row_local_id, role
    ):
        """Check an ID that is not plain text in the local ID form, or no ID."""
        if not schoology_id:
            if layout.cell_text(raw).strip():
                self._error(
                    row,
                    result,
                    f"{quote(raw)} is on a scenario 3 row, which has no Schoology "
                    "user to link. Clear the cell, and type the ID on the row of "
                    "the Schoology user instead.",
                )
            return

        clean = clean_mapping_id(raw)
        if clean.problem:
            guess = self.context.sis_index.guess(clean.key, role) if clean.key else None
            hint = f"Did you mean '{guess}'? " if guess else ""
            self._error(
                row,
                result,
                f"the Integration-Mapping ID {quote(raw)} {clean.problem}. "
                f"{hint}{clean.fix}",
            )
            return

        if not clean.text:
            if scenario == 1:
                self._cleared(row, result, schoology_id, row_local_id)
            return

        self._use(index, clean.text, result)
        message = self._value_problem(
            clean.text, scenario, row_local_id, schoology_id, role
        )
        if message:
            self._error(row, result, message)

    def _use(self, index: int, local_id: str, result: RowResult) -> None:
        """Record the row's ID, and the rows that repeat an ID."""
        result.mapping_id = local_id
        first = self.first_use.setdefault(local_id, index)
        if first != index:
            self.repeats.setdefault(local_id, [first]).append(index)

    def check_repeats(self, results: list[RowResult]) -> None:
        """Add an error to every row whose ID another row uses too."""
        rows = self.uploaded.rows
        for local_id, indexes in self.repeats.items():
            cells = [self._cell(rows[i]) for i in indexes]
            for index, cell in zip(indexes, cells, strict=True):
                others = [other for other in cells if other != cell]
                listed = ", ".join(others[:MAX_OTHER_CELLS])
                if len(others) > MAX_OTHER_CELLS:
                    listed += f" and {len(others) - MAX_OTHER_CELLS} more"

                results[index].issues.append(
                    Issue(
                        ERROR,
                        f"{cell}: {quote(local_id)} is also the Integration-Mapping "
                        f"ID at {listed}, but a SIS user can be linked to one "
                        "Schoology user only. Keep the ID on one row and clear the "
                        "others.",
                        layout.MAPPING_ID,
                    )
                )

    def _cell(self, row: UploadedRow) -> str:
        return self.uploaded.cell(row.sheet, row.row, layout.MAPPING_ID)

    def _error(self, row: UploadedRow, result: RowResult, message: str) -> None:
        result.issues.append(
            Issue(ERROR, f"{self._cell(row)}: {message}", layout.MAPPING_ID)
        )

    def _cleared(self, row, result, schoology_id: str, row_local_id: str) -> None:
        result.issues.append(
            Issue(
                WARNING,
                f"{self._cell(row)}: the Integration-Mapping ID was cleared, so "
                f"Schoology user {schoology_id} will not be linked to SIS user "
                f"{row_local_id}. Type '{row_local_id}' again to link them.",
                layout.MAPPING_ID,
            )
        )

    def _value_problem(
        self,
        local_id: str,
        scenario: int,
        row_local_id: str,
        schoology_id: str,
        role: Role | None,
    ) -> str:
        """Check a clean ID against the row, the SIS snapshot and the links.

        Returns the error message without the cell, or "" when the ID is fine.
        """
        if scenario == 1 and local_id != row_local_id:
            return (
                f"{quote(local_id)} differs from this row's SIS Local ID "
                f"'{row_local_id}'. A scenario 1 row links the two users on it: "
                f"type '{row_local_id}' again, or clear the cell to leave them "
                "unlinked."
            )

        id_role = local_id_role(local_id)
        prefix, _sep, key = local_id.partition("_")
        if id_role is None and prefix in PREFIX_ROLES and not key:
            return (
                f"{quote(local_id)} is only a role prefix. Type the whole SIS local ID "
                "as the SIS Users sheet lists it."
            )

        if id_role is None:
            guess = self.context.sis_index.guess(local_id, role)
            hint = f" Did you mean '{guess}'?" if guess else ""
            return (
                f"{quote(local_id)} has no role prefix ({PREFIX_HELP}).{hint} Type the "
                "SIS local ID as the SIS Users sheet lists it."
            )

        person = self.context.sis.get(local_id)
        if person is None:
            guess = self.context.sis_index.guess(local_id, role)
            hint = f" Did you mean '{guess}'?" if guess else ""
            return (
                f"{quote(local_id)} is not a SIS local ID in the current SIS snapshot."
                f"{lookalike_hint(local_id)}{hint} Pick the ID from the SIS Users "
                "sheet."
            )

        if role and id_role != role:
            name = f" ({person.name})" if person.name else ""
            return (
                f"{quote(local_id)}{name} is {ID_KINDS[id_role]}, but Schoology user "
                f"{schoology_id} is {ROLE_WORDS[role]}. Use an ID that starts with "
                f"{role.prefix}_."
            )

        holder = self.context.links.get(local_id)
        if holder and holder != schoology_id:
            return (
                f"{quote(local_id)} is already the Unique ID of Schoology user "
                f"{holder}, and a SIS user can be linked to one Schoology user only. "
                "Clear the cell, or change the Unique ID of Schoology user "
                f"{holder} first."
            )

        return ""
