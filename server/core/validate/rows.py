"""Pair uploaded rows with stored rows, and check what staff may not change.

Rows pair up by ``layout.row_key``. A row with a new key is an inserted row
unless it pairs with a stored row missing from the upload, which means a key
cell was edited. Locked cells are compared with the stored row, and both sides
with their current state.
"""

from __future__ import annotations

from operator import itemgetter

from .. import layout
from ..frontend import sentence_step, step
from ..model import Role, parse_role
from ..readback import UploadedReport, UploadedRow
from .context import StoredReport, ValidationContext
from .mapping_ids import ROLE_WORDS, MappingIdChecker, quote
from .result import ERROR, WARNING, Issue, RowResult

UNIQUE_ID = layout.COLUMN_INDEX["User Unique ID"]
ROLE = layout.COLUMN_INDEX["Role"]
SIS_ROLE = layout.COLUMN_INDEX["SIS Role"]
PICK_LOCKED = itemgetter(*layout.DIGEST_COLUMNS)
# The locked cells other than the two IDs that make up a row's key.
SIGNATURE_COLUMNS = tuple(
    i
    for i in layout.DIGEST_COLUMNS
    if i not in (layout.SCHOOLOGY_ID, layout.SIS_LOCAL_ID)
)


# Deleted rows get a note each up to this count, and one note for the rest.
MAX_DELETED_NOTES = 100
MISSING = object()
# A scenario cell as written (int), read back (float) or stored as text.
SCENARIOS = {value: value for value in (1, 2, 3)} | {
    str(value): value for value in (1, 2, 3)
}


def row_scenario(values) -> int:
    """Return a row's scenario (1, 2 or 3), or 0 when the cell is empty or invalid."""
    value = values[layout.SCENARIO]
    scenario = SCENARIOS.get(value)
    if scenario is None:
        text = layout.cell_text(value)
        scenario = int(text) if text.isdigit() else 0

    return scenario


class RowChecker:
    """Apply the row rules to one upload, remembering the rows seen so far."""

    def __init__(
        self,
        uploaded: UploadedReport,
        context: ValidationContext,
        stored: StoredReport,
    ):
        self.uploaded = uploaded
        self.context = context
        self.stored = stored
        self.mapping_ids = MappingIdChecker(uploaded, context)
        # Local names for the lookups that every row makes.
        self.stored_rows = stored.rows
        self.schoology = context.schoology
        self.sis = context.sis
        self.seen: dict[str, UploadedRow] = {}
        self.unknown: list[tuple[int, UploadedRow, RowResult]] = []
        self.roles: dict[object, Role | None] = {}

    def check(self, index: int, row: UploadedRow) -> RowResult:
        """Check one row, or keep it for ``resolve_unknown`` if its key is new."""
        key = layout.row_key(row.values)
        result = RowResult(row.sheet, row.row, key)
        seen = self.seen
        if key in seen:
            result.issues.append(
                Issue(
                    ERROR,
                    f"{self._cell(row, layout.SCHOOLOGY_ID)}: this row repeats the "
                    f"row at {self._cell(self.seen[key], layout.SCHOOLOGY_ID)}, and "
                    "each user appears on one row only. Delete one of the two rows.",
                )
            )
            return result

        stored_values = self.stored_rows.get(key)
        if stored_values is None:
            self.unknown.append((index, row, result))
            return result

        seen[key] = row
        self._check_row(index, row, key, stored_values, result)

        return result

    def resolve_unknown(self) -> None:
        """Pair each row that has a new key with a stored row missing from the upload.

        A row whose Schoology User ID or SIS Local ID cell was edited has a new
        key. Pairing it with the missing stored row that has the same other
        cells, or else the same other ID, reports the edited cell instead of a
        deleted row plus an inserted one. A row with no pair was inserted.
        """
        if not self.unknown:
            return

        by_signature: dict[tuple, str] = {}
        by_schoology: dict[str, str] = {}
        by_sis: dict[str, str] = {}
        for key, values in self.stored.rows.items():
            if key in self.seen:
                continue

            by_signature.setdefault(_signature(values), key)
            schoology_id, _sep, local_id = key.partition("|")
            if schoology_id:
                by_schoology[schoology_id] = key
            if local_id:
                by_sis[local_id] = key

        for index, row, result in self.unknown:
            schoology_id, _sep, local_id = result.key.partition("|")
            candidates = (
                by_signature.get(_signature(row.values)),
                by_schoology.get(schoology_id),
                by_sis.get(local_id),
            )
            key = next((c for c in candidates if c and c not in self.seen), None)
            if key is None:
                result.issues.append(Issue(ERROR, self._inserted_message(row)))
                continue

            self.seen[key] = row
            self._check_row(index, row, key, self.stored.rows[key], result)

    def deleted_keys(self) -> list[str]:
        """List the keys of the stored rows that the upload does not contain."""
        return [key for key in self.stored.rows if key not in self.seen]

    def deleted_notes(self, keys: list[str]) -> list[str]:
        """Describe the first deleted rows, and count the rest in one note."""
        notes = []
        for key in keys[:MAX_DELETED_NOTES]:
            scenario = row_scenario(self.stored.rows[key])
            schoology_id, _sep, local_id = key.partition("|")
            if scenario == 1:
                notes.append(
                    f"The scenario 1 row of Schoology user {schoology_id} and SIS "
                    f"user {local_id} is missing from the workbook, so those two "
                    "users will not be linked. "
                    f"{sentence_step('get_report_again')} if the row was deleted "
                    "by mistake."
                )
            else:
                user = (
                    f"Schoology user {schoology_id}"
                    if schoology_id
                    else f"SIS user {local_id}"
                )
                notes.append(
                    f"The scenario {scenario} row of {user} is missing from the "
                    "workbook. It carried no link, so nothing changes for that user."
                )

        more = len(keys) - MAX_DELETED_NOTES
        if more == 1:
            notes.append(
                f"1 more row of report {self.stored.report_id} is missing from the "
                "workbook, and the user on it will not be linked by this upload."
            )
        elif more > 1:
            notes.append(
                f"{more:,} more rows of report {self.stored.report_id} are missing "
                "from the workbook, and the users on them will not be linked by "
                "this upload."
            )

        return notes

    def _check_row(self, index, row, key: str, stored_values, result) -> None:
        # The stored key, not the uploaded one, names the users, because a
        # key cell may have been edited.
        schoology_id, _sep, local_id = key.partition("|")
        if PICK_LOCKED(row.values) != PICK_LOCKED(stored_values):
            self._check_locked(row, stored_values, result)

        # Plain comparisons first: the detailed checks build the messages and
        # run only when something may have changed.
        roles = self.roles
        account = None
        role = None
        if schoology_id:
            account = self.schoology.get(schoology_id)
            role_name = stored_values[ROLE]
            role = roles[role_name] if role_name in roles else self._role(role_name)
            if (
                account is None
                or account.unique_id != (stored_values[UNIQUE_ID] or "")
                or account.role is not role
            ):
                self._check_schoology_user(
                    row, schoology_id, account, stored_values, result
                )
            if account is not None and account.role is not None:
                role = account.role

        person = None
        if local_id:
            person = self.sis.get(local_id)
            role_name = stored_values[SIS_ROLE]
            sis_role = roles[role_name] if role_name in roles else self._role(role_name)
            if person is None or person.role is not sis_role:
                self._check_sis_user(row, local_id, stored_values, result)

        scenario = SCENARIOS.get(stored_values[layout.SCENARIO])
        if scenario is None:
            scenario = row_scenario(stored_values)
        self.mapping_ids.check(
            index, row, result, scenario, schoology_id, local_id, role, person
        )

    def _cell(self, row: UploadedRow, column: int) -> str:
        return self.uploaded.cell(row.sheet, row.row, column)

    def _inserted_message(self, row: UploadedRow) -> str:
        first = self._cell(row, layout.SCHOOLOGY_ID)
        values = row.values
        schoology_id = layout.cell_text(values[layout.SCHOOLOGY_ID])
        local_id = layout.cell_text(values[layout.SIS_LOCAL_ID])
        if not schoology_id and not local_id:
            return (
                f"{first}: this row has no Schoology User ID and no SIS Local ID, "
                f"so it is not a row of report {self.stored.report_id}. Clear the "
                "row, and type Integration-Mapping IDs only on rows of the report."
            )

        return (
            f"{first}: this row (Schoology User ID {quote(schoology_id)}, SIS Local "
            f"ID {quote(local_id)}) is not in report {self.stored.report_id}. Rows "
            "cannot be added to a report: delete the row, or generate a new report "
            "to include new users."
        )

    def _check_locked(self, row: UploadedRow, stored_values, result: RowResult):
        """Report each locked cell whose text differs from the stored row.

        The caller compares the locked cells as one tuple first, which is fast
        and exact except where a number reads back as float and the stored row
        has text: comparing the text here settles those.
        """
        values = row.values
        for column in layout.DIGEST_COLUMNS:
            before = layout.cell_text(stored_values[column])
            after = layout.cell_text(values[column])
            if before == after:
                continue

            result.issues.append(
                Issue(
                    ERROR,
                    f"{self._cell(row, column)}: {layout.COLUMN_NAMES[column]} was "
                    f"changed from {quote(before)} to {quote(after)}, but only the "
                    "Integration-Mapping ID may be edited. Change it back, or "
                    f"{step('get_report_again')}.",
                    column,
                )
            )

    def _role(self, value) -> Role | None:
        """Parse a role name, once per distinct name: a district has a few."""
        role = self.roles.get(value, MISSING)
        if role is not MISSING:
            return role

        text = layout.cell_text(value)
        self.roles[value] = role = parse_role(text) if text else None

        return role

    def _check_schoology_user(self, row, schoology_id, account, stored_values, result):
        """Warn when a Schoology user left, or changed Unique ID or role."""
        report_id = self.stored.report_id
        if account is None:
            result.issues.append(
                Issue(
                    WARNING,
                    f"{self._cell(row, layout.SCHOOLOGY_ID)}: Schoology user "
                    f"{schoology_id} is no longer among the current Schoology "
                    "users, so Update Users will skip this row. Generate a new "
                    "report to see the current users.",
                )
            )
            return

        before = layout.cell_text(stored_values[UNIQUE_ID])
        if account.unique_id != before:
            result.issues.append(
                Issue(
                    WARNING,
                    f"{self._cell(row, UNIQUE_ID)}: the Unique ID of Schoology user "
                    f"{schoology_id} changed from {quote(before)} to "
                    f"{quote(account.unique_id)} since report {report_id} was "
                    "generated.",
                )
            )

        role = self._role(stored_values[ROLE])
        if role and account.role and role != account.role:
            result.issues.append(
                Issue(
                    WARNING,
                    f"{self._cell(row, ROLE)}: Schoology user {schoology_id} was "
                    f"{ROLE_WORDS[role]} when report {report_id} was generated and "
                    f"is {ROLE_WORDS[account.role]} now.",
                )
            )

    def _check_sis_user(self, row, local_id, stored_values, result):
        """Warn when a SIS user left the snapshot or changed role."""
        report_id = self.stored.report_id
        person = self.context.sis.get(local_id)
        if person is None:
            result.issues.append(
                Issue(
                    WARNING,
                    f"{self._cell(row, layout.SIS_LOCAL_ID)}: SIS user {local_id} was "
                    f"in the SIS snapshot when report {report_id} was generated but "
                    "is no longer in the current one. Generate a new report to see "
                    "the current users.",
                )
            )
            return

        role = self._role(stored_values[SIS_ROLE])
        if role and person.role and role != person.role:
            result.issues.append(
                Issue(
                    WARNING,
                    f"{self._cell(row, SIS_ROLE)}: SIS user {local_id} was "
                    f"{ROLE_WORDS[role]} when report {report_id} was generated and "
                    f"is {ROLE_WORDS[person.role]} now.",
                )
            )


def _signature(values) -> tuple[str, ...]:
    return tuple(layout.cell_text(values[i]) for i in SIGNATURE_COLUMNS)
