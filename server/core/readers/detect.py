"""Detect which kind of export a file or folder is, from its header names."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import ExportError
from .source import Table, open_table

SCHOOLOGY = "schoology"
ONEROSTER_1_1 = "oneroster-1.1"
ONEROSTER_1_2 = "oneroster-1.2"
ONEROSTER_ROLES = "oneroster-roles"
ONEROSTER_ORGS = "oneroster-orgs"
POWERSCHOOL_STUDENTS = "powerschool-students"
POWERSCHOOL_STAFF = "powerschool-staff"
GENERIC = "csv"

ONEROSTER_KINDS = {ONEROSTER_1_1, ONEROSTER_1_2, ONEROSTER_ROLES, ONEROSTER_ORGS}
POWERSCHOOL_KINDS = {POWERSCHOOL_STUDENTS, POWERSCHOOL_STAFF}

# The files of a OneRoster folder that list users, their roles and their schools.
# The other files of a OneRoster export (classes.csv, enrollments.csv and so
# on) contain no account data.
ONEROSTER_FILES = ("users.csv", "roles.csv", "orgs.csv")
# Columns that only a OneRoster users.csv has, beside its name columns.
ONEROSTER_USER_COLUMNS = {
    "enableduser",
    "orgsourcedids",
    "agentsourcedids",
    "userids",
    "datelastmodified",
}
TABLE_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods"}


def detect_table(table: Table) -> str:
    """Name the kind of export that a table's header row belongs to."""
    keys = set(table.keys)
    if "schoologyuserid" in keys or {"useruniqueid", "role"} <= keys:
        return SCHOOLOGY

    if {"usersourcedid", "roletype", "role"} <= keys:
        return ONEROSTER_ROLES

    if {"sourcedid", "givenname", "familyname"} <= keys:
        return ONEROSTER_1_1 if "role" in keys else ONEROSTER_1_2

    if {"sourcedid", "name", "type"} <= keys:
        return ONEROSTER_ORGS

    if {"dcid", "studentnumber"} <= keys:
        return POWERSCHOOL_STUDENTS

    if {"dcid", "teachernumber"} <= keys:
        return POWERSCHOOL_STAFF

    # A file that lacks its key column still has the other columns of its
    # kind. Detecting it lets the reader name the missing column, where the
    # generic reader could only ask for a column map.
    if {"givenname", "familyname"} <= keys and keys & ONEROSTER_USER_COLUMNS:
        return ONEROSTER_1_1 if "role" in keys else ONEROSTER_1_2

    if {"studentnumber", "firstname", "lastname"} <= keys:
        return POWERSCHOOL_STUDENTS

    if {"teachernumber", "firstname", "lastname"} <= keys:
        return POWERSCHOOL_STAFF

    return GENERIC


def oneroster_files(folder: Path) -> list[Path]:
    """List users.csv, roles.csv and orgs.csv in a folder, in any letter case."""
    by_name = {path.name.lower(): path for path in folder.iterdir()}

    return [by_name[name] for name in ONEROSTER_FILES if name in by_name]


def folder_files(folder: Path) -> list[Path]:
    """List the export files of a folder: the OneRoster ones, or all tables.

    Hidden files and Excel's "~$" lock files are left out.
    """
    files = oneroster_files(folder)
    if files and files[0].name.lower() == "users.csv":
        return files

    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in TABLE_SUFFIXES
        and not path.name.startswith((".", "~$"))
    )


def detect_format(path: str | Path) -> str:
    """Name the kind of export at ``path`` from its header names.

    A file gives one of "schoology", "oneroster-1.1", "oneroster-1.2",
    "oneroster-roles", "oneroster-orgs", "powerschool-students",
    "powerschool-staff" or "csv" (anything else). A folder gives the kind of
    its users.csv, or "powerschool" when all its files are PowerSchool
    exports, or else the kind of its first file. A ZIP archive gives the
    kind of the OneRoster users.csv inside it.

    :raise ExportError: when the path or a file in it cannot be read.
    """
    # The archive module imports this one, so it is imported here.
    from .archive import extract_oneroster, is_archive

    path = Path(path)
    if is_archive(path):
        with tempfile.TemporaryDirectory() as folder:
            files = extract_oneroster(path, Path(folder))
            return detect_table(open_table(files[0]))

    if not path.is_dir():
        return detect_table(open_table(path))

    kinds = [detect_table(open_table(file)) for file in folder_files(path)]
    if not kinds:
        raise ExportError(
            f"{path}: the folder contains no CSV or workbook files. Pass the folder "
            "of an export, or the files themselves."
        )

    if oneroster_files(path) and kinds and kinds[0] in ONEROSTER_KINDS:
        return kinds[0]

    if kinds and all(kind in POWERSCHOOL_KINDS for kind in kinds):
        return "powerschool"

    return kinds[0]
