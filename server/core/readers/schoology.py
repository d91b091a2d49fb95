"""Read a Schoology user export (CSV, or a workbook filled in by staff)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ..errors import ExportError
from ..model import Export, SchoologyUser
from .detect import GENERIC, SCHOOLOGY, detect_table
from .sis import KIND_NAMES
from .source import Table, cached_parse_role, gc_paused, list_places, open_table

logger = logging.getLogger(__name__)

FORMAT = "schoology"
MAX_UNIQUE_ID_WARNINGS = 20

# Each field with the header names that Schoology has used for it. The first
# name is the one that messages show.
REQUIRED = {
    "schoology_id": ("Schoology User ID", "Schoology ID", "User ID"),
    "unique_id": ("User Unique ID", "Unique ID"),
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "role": ("Role",),
}
OPTIONAL = {
    "middle_name": ("Middle Name",),
    "username": ("Username",),
    "email": ("E-mail", "Email Address"),
    "school": ("Building or School", "Building", "School"),
    "grad_year": ("Grad Year", "Graduation Year"),
    "additional_schools": ("Additional Schools",),
}


@gc_paused()
def read_schoology(path: str | Path) -> Export:
    """Read the Schoology user export at ``path`` into an Export.

    IDs are stripped of surrounding spaces. Names, usernames and emails are
    kept exactly as exported, because matching normalises them itself.

    :raise ExportError: for a missing column, an unknown role, a blank or
        repeated Schoology User ID, or a row that is not valid CSV.
    """
    table = open_table(path)
    check_not_sis(table)
    columns = {field: table.column(names) for field, names in REQUIRED.items()}
    for field, names in OPTIONAL.items():
        columns[field] = table.column(names, required=False)
    table.warn_numeric(columns["schoology_id"])
    table.warn_numeric(columns["unique_id"])
    pick = table.picker([columns[field] for field in (*REQUIRED, *OPTIONAL)])

    users: list[SchoologyUser] = []
    seen_ids: set[str] = set()
    # Sets rather than dicts of line numbers keep a 1,000,000-row read
    # smaller. The lines of a repeated Unique ID are gathered afterwards.
    seen_unique_ids: set[str] = set()
    repeated_unique_ids: set[str] = set()
    for line, row in table.rows():
        (
            schoology_id,
            unique_id,
            first_name,
            last_name,
            role_name,
            middle_name,
            username,
            email,
            school,
            grad_year,
            additional_schools,
        ) = pick(row)

        schoology_id = schoology_id.strip()
        if not schoology_id:
            raise table.blank_error(
                line,
                "the Schoology User ID",
                "Export the users from Schoology again, because every account has one.",
            )

        if schoology_id in seen_ids:
            first = next(u.line for u in users if u.schoology_id == schoology_id)
            raise ExportError(
                f"{table.name}, {table.unit}s {first} and {line}: both rows "
                f"have the Schoology User ID '{schoology_id}'. Remove the "
                "repeated row or export the users again."
            )
        seen_ids.add(schoology_id)

        role_name = sys.intern(role_name.strip())
        role = cached_parse_role(role_name)
        if role is None:
            raise ExportError(
                f"{table.where(line)}: the role '{role_name}' is not a student, "
                "teacher, staff, admin or parent role. Use a Schoology role "
                "whose name contains one of those words."
            )

        unique_id = unique_id.strip()
        if unique_id in seen_unique_ids:
            repeated_unique_ids.add(unique_id)
        elif unique_id:
            seen_unique_ids.add(unique_id)

        users.append(
            SchoologyUser(
                line=line,
                schoology_id=schoology_id,
                unique_id=unique_id,
                first_name=sys.intern(first_name),
                middle_name=sys.intern(middle_name),
                last_name=sys.intern(last_name),
                username=username,
                email=email,
                role=role,
                role_name=role_name,
                school=sys.intern(school.strip()),
                grad_year=sys.intern(grad_year.strip()),
                additional_schools=sys.intern(additional_schools.strip()),
            )
        )

    table.check_scientific_key(columns["schoology_id"])
    table.warn_scientific(columns["unique_id"])
    if not users:
        raise ExportError(
            f"{table.name}: the file has a header row but no users. Export the "
            "users from Schoology again."
        )

    export = Export(side="schoology", users=users)
    export.files.append((table.name, FORMAT, len(users)))
    export.warnings.extend(table.warnings)
    export.warnings.extend(unique_id_warnings(table, users, repeated_unique_ids))
    logger.info("Read a Schoology export: %d users", len(users))

    return export


def check_not_sis(table: Table) -> None:
    """Raise when the file given as the Schoology export is a SIS export."""
    kind = detect_table(table)
    if kind in (SCHOOLOGY, GENERIC):
        return

    raise ExportError(
        f"{table.name} is {KIND_NAMES[kind]}, not a Schoology user export. Give "
        "it as a SIS export, and give the Schoology user export as the "
        "Schoology file."
    )


def unique_id_warnings(table, users: list[SchoologyUser], repeated: set[str]):
    """Warn about each User Unique ID that several accounts share.

    After MAX_UNIQUE_ID_WARNINGS of them, one more warning counts the rest.
    """
    if not repeated:
        return []

    lines_by_id: dict[str, list[int]] = {}
    for user in users:
        if user.unique_id in repeated:
            lines_by_id.setdefault(user.unique_id, []).append(user.line)

    warnings = []
    for unique_id, lines in list(lines_by_id.items())[:MAX_UNIQUE_ID_WARNINGS]:
        warnings.append(
            f"{table.name}: {len(lines)} accounts share the User Unique ID "
            f"'{unique_id}' ({list_places(lines, table.unit)}). Matching "
            "treats them as ambiguous. Give each account its own Unique ID "
            "in Schoology, or merge the accounts."
        )

    rest = len(lines_by_id) - MAX_UNIQUE_ID_WARNINGS
    if rest > 0:
        warnings.append(
            f"{table.name}: {rest} more User Unique IDs are shared by several "
            "accounts each. Matching treats those accounts as ambiguous too."
        )

    return warnings
