"""Read a Schoology user export (CSV, or a workbook filled in by staff)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ..errors import ExportError
from ..model import Export, SchoologyUser, parse_role
from .source import list_places, open_table

logger = logging.getLogger(__name__)

FORMAT = "schoology"

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


def read_schoology(path: str | Path) -> Export:
    """Read the Schoology user export at ``path`` into an Export.

    IDs are stripped of surrounding spaces. Names, usernames and emails are
    kept exactly as exported, because matching normalises them itself.

    :raise ExportError: for a missing column, an unknown role, a blank or
        repeated Schoology User ID, or a row that is not valid CSV.
    """
    table = open_table(path)
    columns = {field: table.column(names) for field, names in REQUIRED.items()}
    for field, names in OPTIONAL.items():
        columns[field] = table.column(names, required=False)
    table.warn_numeric(columns["schoology_id"])
    table.warn_numeric(columns["unique_id"])

    def value(row: list[str], field: str) -> str:
        index = columns[field]
        return "" if index is None else row[index]

    users: list[SchoologyUser] = []
    lines_by_id: dict[str, int] = {}
    lines_by_unique_id: dict[str, list[int]] = {}
    for line, row in table.rows():
        schoology_id = value(row, "schoology_id").strip()
        if not schoology_id:
            raise ExportError(
                f"{table.where(line)}: the Schoology User ID is blank. Export "
                "the users from Schoology again, because every account has one."
            )

        if schoology_id in lines_by_id:
            raise ExportError(
                f"{table.name}, {table.unit}s {lines_by_id[schoology_id]} and "
                f"{line}: both rows have the Schoology User ID '{schoology_id}'. "
                "Remove the repeated row or export the users again."
            )
        lines_by_id[schoology_id] = line

        role_name = value(row, "role").strip()
        role = parse_role(role_name)
        if role is None:
            raise ExportError(
                f"{table.where(line)}: the role '{role_name}' is not a student, "
                "teacher, staff, admin or parent role. Use a Schoology role "
                "whose name contains one of those words."
            )

        unique_id = value(row, "unique_id").strip()
        if unique_id:
            lines_by_unique_id.setdefault(unique_id, []).append(line)

        users.append(
            SchoologyUser(
                line=line,
                schoology_id=schoology_id,
                unique_id=unique_id,
                first_name=value(row, "first_name"),
                middle_name=value(row, "middle_name"),
                last_name=value(row, "last_name"),
                username=value(row, "username"),
                email=value(row, "email"),
                role=role,
                role_name=sys.intern(role_name),
                school=sys.intern(value(row, "school").strip()),
                grad_year=sys.intern(value(row, "grad_year").strip()),
                additional_schools=sys.intern(value(row, "additional_schools").strip()),
            )
        )

    if not users:
        raise ExportError(
            f"{table.name}: the file has a header row but no users. Export the "
            "users from Schoology again."
        )

    export = Export(side="schoology", users=users)
    export.files.append((table.name, FORMAT, len(users)))
    export.warnings.extend(table.warnings)
    export.warnings.extend(repeated_unique_ids(table, lines_by_unique_id))
    logger.info("Read a Schoology export: %d users", len(users))

    return export


def repeated_unique_ids(table, lines_by_unique_id: dict[str, list[int]]) -> list:
    """Warn about each User Unique ID that several accounts share."""
    warnings = []
    for unique_id, lines in lines_by_unique_id.items():
        if len(lines) > 1:
            warnings.append(
                f"{table.name}: {len(lines)} accounts share the User Unique ID "
                f"'{unique_id}' ({list_places(lines, table.unit)}). Matching "
                "treats them as ambiguous. Give each account its own Unique ID "
                "in Schoology, or merge the accounts."
            )

    return warnings
