"""Read OneRoster 1.1 and 1.2 CSV users, with their roles and schools.

OneRoster 1.1 ``users.csv`` has a ``role`` column and lists the user's orgs in
``orgSourcedIds``. OneRoster 1.2 ``users.csv`` has neither: ``roles.csv``
links each user to a role at an org, and the role whose ``roleType`` is
"primary" decides the user's role. ``orgs.csv``, when present, turns org
sourcedIds into school names. Rows whose ``status`` is "tobedeleted" are
left out with a warning that counts them.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from ..errors import ExportError
from ..model import Role, SisUser, make_local_id
from ..plural import counted
from .collect import SCHOOL_SEPARATOR, SisCollector
from .source import Table, cached_parse_role, list_places

logger = logging.getLogger(__name__)

DELETED = "tobedeleted"


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """One active row of roles.csv."""

    line: int
    primary: bool
    role: Role
    role_name: str
    org: str


def column_value(row: list[str], index: int | None) -> str:
    return "" if index is None else row[index]


def is_deleted(row: list[str], status: int | None) -> bool:
    return status is not None and row[status].strip().casefold() == DELETED


def deleted_warning(table: Table, count: int, noun: str) -> str:
    return (
        f"{table.name}: {counted(count, noun)} with the status 'tobedeleted' "
        f"{'was' if count == 1 else 'were'} left out."
    )


def read_orgs(table: Table) -> tuple[dict[str, str], int]:
    """Map each org sourcedId in orgs.csv to its name.

    Return the map and the number of data rows.
    """
    sourced_id = table.column(("sourcedId",))
    name = table.column(("name",))
    names: dict[str, str] = {}
    rows = 0
    for _line, row in table.rows():
        rows += 1
        key = row[sourced_id].strip()
        if key:
            names[key] = sys.intern(row[name].strip() or key)

    return names, rows


def read_roles(table: Table) -> tuple[dict[str, list[RoleRecord]], int, int]:
    """Group the active rows of a OneRoster 1.2 roles.csv by userSourcedId.

    Return the groups, the number of data rows and the number of rows left
    out as "tobedeleted".

    :raise ExportError: for a role that is not a OneRoster role.
    """
    user = table.column(("userSourcedId",))
    role_type = table.column(("roleType",))
    role_column = table.column(("role",))
    org = table.column(("orgSourcedId",), required=False)
    status = table.column(("status",), required=False)

    roles: dict[str, list[RoleRecord]] = {}
    rows = 0
    deleted = 0
    for line, row in table.rows():
        rows += 1
        if is_deleted(row, status):
            deleted += 1
            continue

        user_id = row[user].strip()
        if not user_id:
            raise ExportError(
                f"{table.where(line)}: the userSourcedId is blank. Every row of "
                "roles.csv must name the user it belongs to."
            )

        role_name = sys.intern(row[role_column].strip())
        role = cached_parse_role(role_name)
        if role is None:
            raise ExportError(
                f"{table.where(line)}: the role '{role_name}' is not a OneRoster "
                "role (student, teacher, guardian, parent, relative, "
                "administrator, aide, proctor and others). Correct the role in "
                "the SIS and export again."
            )

        record = RoleRecord(
            line=line,
            primary=row[role_type].strip().casefold() == "primary",
            role=role,
            role_name=role_name,
            org=sys.intern(column_value(row, org).strip()),
        )
        roles.setdefault(user_id, []).append(record)

    return roles, rows, deleted


def choose_role(records: list[RoleRecord]) -> tuple[RoleRecord, list[str], bool]:
    """Pick the record that decides a user's role, and the orgs of that role.

    The first primary record decides, or the first record when none is
    primary. The orgs are those of every record with the same Role, the
    deciding one first. The flag is True when no record was primary.
    """
    primary = next((record for record in records if record.primary), None)
    chosen = primary or records[0]
    orgs = [chosen.org] if chosen.org else []
    for record in records:
        if record.role == chosen.role and record.org and record.org not in orgs:
            orgs.append(record.org)

    return chosen, orgs, primary is None


# The users.csv fields that a SisUser is built from, in the order that
# ``user_columns`` returns their indexes.
USER_FIELDS = (
    "sourcedId",
    "givenName",
    "familyName",
    "role",
    "orgSourcedIds",
    "primaryOrgSourcedId",
    "status",
    "middleName",
    "username",
    "identifier",
    "email",
    "grades",
)
REQUIRED_USER_FIELDS = {"sourcedId", "givenName", "familyName"}


def user_columns(table: Table, version: str) -> list[int | None]:
    """Find the USER_FIELDS columns of a users.csv, None for those it lacks."""
    required = set(REQUIRED_USER_FIELDS)
    if version == "1.1":
        required.add("role")

    columns = []
    for name in USER_FIELDS:
        if name == "role" and version != "1.1":
            columns.append(None)
        else:
            columns.append(table.column((name,), required=name in required))

    return columns


def grade_text(grades: str) -> str:
    """Turn a OneRoster grades list such as "09,10" into "09, 10"."""
    if "," not in grades:
        return sys.intern(grades.strip())

    return sys.intern(", ".join(g.strip() for g in grades.split(",") if g.strip()))


def school_names(org_ids: list[str], orgs: dict[str, str] | None, unknown: set):
    """Join the names of a user's orgs, keeping an unknown org's sourcedId."""
    if orgs is None:
        return sys.intern(SCHOOL_SEPARATOR.join(org_ids))

    names = []
    for org_id in org_ids:
        name = orgs.get(org_id)
        if name is None:
            unknown.add(org_id)
            name = org_id
        if name not in names:
            names.append(name)

    return sys.intern(SCHOOL_SEPARATOR.join(names))


def read_users(
    table: Table,
    version: str,
    collector: SisCollector,
    roles: dict[str, list[RoleRecord]] | None = None,
    orgs: dict[str, str] | None = None,
    key_column: str | None = None,
) -> tuple[int, list[str]]:
    """Add the users of a OneRoster users.csv to ``collector``.

    ``version`` is "1.1" or "1.2". A 1.2 file needs the ``roles`` read from
    roles.csv. Return the number of data rows read and the warnings.

    :raise ExportError: for a blank key, an unknown role, or a key that two
        different people share.
    """
    columns = user_columns(table, version)
    key_index = table.column((key_column,)) if key_column else columns[0]
    pick = table.picker([key_index, *columns])
    table.warn_numeric(key_index)
    table.warn_numeric(columns[USER_FIELDS.index("identifier")])
    source = sys.intern(table.name)
    deleted = 0
    rows = 0
    without_role: list[int] = []
    without_primary = 0
    several_kinds = 0
    unknown_orgs: set[str] = set()
    schools: dict[str, str] = {}

    for line, row in table.rows():
        rows += 1
        (
            sis_key,
            sourced_id,
            given_name,
            family_name,
            role_name,
            org_text,
            primary_org,
            status,
            middle_name,
            username,
            identifier,
            email,
            grades,
        ) = pick(row)
        if status and status.strip().casefold() == DELETED:
            deleted += 1
            continue

        sis_key = sis_key.strip()
        if not sis_key:
            raise table.blank_error(
                line,
                f"the SIS key in column '{table.headers[key_index]}'",
                "Fill it in the SIS and export again.",
            )

        if version == "1.1":
            role_name = sys.intern(role_name.strip())
            role = cached_parse_role(role_name)
            if role is None and not role_name and line in table.short_rows:
                raise table.blank_error(line, "the role", "")
            if role is None:
                raise ExportError(
                    f"{table.where(line)}: the role '{role_name}' is not a "
                    "OneRoster role (student, teacher, guardian, parent, "
                    "relative, administrator, aide, proctor). Correct the role "
                    "in the SIS and export again."
                )
            school = schools.get(org_text)
            if school is None:
                org_ids = [org.strip() for org in org_text.split(",") if org.strip()]
                school = school_names(org_ids, orgs, unknown_orgs)
                schools[org_text] = school
        else:
            records = roles.get(sourced_id.strip()) if roles else None
            if not records:
                without_role.append(line)
                continue
            chosen, org_ids, guessed = choose_role(records)
            without_primary += guessed
            several_kinds += any(record.role != chosen.role for record in records)
            role, role_name = chosen.role, chosen.role_name
            if not org_ids and primary_org.strip():
                org_ids = [primary_org.strip()]
            school = school_names(org_ids, orgs, unknown_orgs)

        user = SisUser(
            line=line,
            source=source,
            local_id=make_local_id(role, sis_key),
            sis_key=sis_key,
            number=identifier.strip(),
            first_name=sys.intern(given_name),
            middle_name=sys.intern(middle_name),
            last_name=sys.intern(family_name),
            username=username,
            email=email,
            role=role,
            role_name=role_name,
            school=school,
            grade=grade_text(grades),
        )
        collector.add(user, table)

    table.check_scientific_key(key_index)
    table.warn_scientific(columns[USER_FIELDS.index("identifier")])
    warnings = list(table.warnings)
    if deleted:
        warnings.append(deleted_warning(table, deleted, "user"))
    if without_role:
        warnings.append(
            f"{table.name}: {counted(len(without_role), 'user has', 'users have')} "
            "no active role in "
            f"roles.csv ({list_places(without_role, table.unit)}), so they were "
            "left out. Give them a role in the SIS and export again."
        )
    if without_primary:
        warnings.append(
            f"{table.name}: {counted(without_primary, 'user has', 'users have')} "
            "no primary role in "
            "roles.csv, so the first of their roles was used."
        )
    if several_kinds:
        warnings.append(
            f"{table.name}: {counted(several_kinds, 'user has', 'users have')} "
            "roles of more than one "
            "kind in roles.csv (such as teacher and parent). Each is listed once, "
            "with the role that roles.csv marks as primary."
        )
    if unknown_orgs:
        warnings.append(
            f"{table.name}: "
            f"{counted(len(unknown_orgs), 'org sourcedId is', 'org sourcedIds are')} "
            "not in "
            "orgs.csv, so those schools are shown by their sourcedId."
        )
    logger.info("Read a OneRoster %s users file: %d rows", version, rows)

    return rows, warnings
