"""Read the SIS side of a user mapping report from files and folders."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path

from ..errors import ExportError
from ..model import Export
from ..plural import counted
from . import detect
from .archive import extract_oneroster, is_archive
from .collect import SisCollector
from .generic import read_generic
from .oneroster import deleted_warning, read_orgs, read_roles, read_users
from .powerschool import read_powerschool
from .source import Table, gc_paused, open_table, quote_headers

logger = logging.getLogger(__name__)

SIS_FORMATS = ("oneroster", "powerschool", "csv")
KIND_NAMES = {
    detect.SCHOOLOGY: "a Schoology user export",
    detect.ONEROSTER_1_1: "a OneRoster 1.1 users.csv",
    detect.ONEROSTER_1_2: "a OneRoster 1.2 users.csv",
    detect.ONEROSTER_ROLES: "a OneRoster roles.csv",
    detect.ONEROSTER_ORGS: "a OneRoster orgs.csv",
    detect.POWERSCHOOL_STUDENTS: "a PowerSchool students export",
    detect.POWERSCHOOL_STAFF: "a PowerSchool staff export",
}
FORMAT_NAMES = {"oneroster": "OneRoster", "powerschool": "PowerSchool"}


def expand_paths(
    paths: Iterable[str | Path] | str | Path, scratch: ExitStack
) -> list[Path]:
    """Turn the files, folders and ZIP archives given into a list of files.

    A zipped OneRoster export is unpacked into a temporary folder that
    ``scratch`` removes when it closes.
    """
    if isinstance(paths, str | Path):
        paths = [paths]

    files: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            raise ExportError(f"{path}: the SIS export is not found. Check the path.")

        if is_archive(path):
            folder = scratch.enter_context(tempfile.TemporaryDirectory())
            files.extend(extract_oneroster(path, Path(folder) / path.stem))
            continue

        if not path.is_dir():
            files.append(path)
            continue

        found = detect.folder_files(path)
        if not found:
            raise ExportError(
                f"{path}: the folder contains no CSV or workbook files. Pass the "
                "folder of the SIS export, or the files themselves."
            )
        files.extend(found)

    if not files:
        raise ExportError("No SIS export was given. Pass at least one file or folder.")

    return files


def classify(table: Table, sis_format: str | None) -> str:
    """Decide how to read a table, checking it against the format requested."""
    if sis_format == "csv":
        return detect.GENERIC

    kind = detect.detect_table(table)
    if kind == detect.SCHOOLOGY:
        raise ExportError(
            f"{table.name} is a Schoology user export, not a SIS export. Give it "
            "as the Schoology file and give the SIS export as the SIS side."
        )

    expected = {
        "oneroster": detect.ONEROSTER_KINDS,
        "powerschool": detect.POWERSCHOOL_KINDS,
    }.get(sis_format)
    if expected is not None and kind not in expected:
        found = quote_headers(table.headers)
        requested = FORMAT_NAMES[sis_format]
        found_kind = f"{KIND_NAMES[kind]}, not" if kind != detect.GENERIC else "not"
        raise ExportError(
            f"{table.name}: the file is {found_kind} a {requested} export. Its "
            f"header row contains {found}. Choose the SIS format that matches "
            "the file, or leave it out to detect it."
        )

    if kind in detect.POWERSCHOOL_KINDS:
        check_powerschool_name(table, kind)

    return kind


# The words in a file name that say which PowerSchool export it should be.
STUDENT_WORDS = ("student",)
STAFF_WORDS = ("staff", "teacher")


def check_powerschool_name(table: Table, kind: str) -> None:
    """Raise when a PowerSchool file's name says students but it holds staff.

    The header row decides how a file is read, so a staff export saved as
    students.csv would turn every student into staff with no other sign.
    """
    name = table.name.lower()
    says_students = any(word in name for word in STUDENT_WORDS)
    says_staff = any(word in name for word in STAFF_WORDS)
    if says_students == says_staff:
        return

    if says_students and kind == detect.POWERSCHOOL_STAFF:
        column = table.headers[table.column(("TeacherNumber",))]
        raise ExportError(
            f"{table.name}: the file name says students, but the header row has "
            f"the columns of a PowerSchool staff export ('{column}'), so every "
            "row would be read as staff. Export the students with "
            "Student_Number, or rename the file if it is the staff export."
        )

    if says_staff and kind == detect.POWERSCHOOL_STUDENTS:
        column = table.headers[table.column(("Student_Number",))]
        raise ExportError(
            f"{table.name}: the file name says staff, but the header row has the "
            f"columns of a PowerSchool students export ('{column}'), so every "
            "row would be read as a student. Export the staff with "
            "TeacherNumber, or rename the file if it is the students export."
        )


@gc_paused()
def read_sis(
    paths,
    sis_format: str | None = None,
    column_map: dict[str, str] | None = None,
    key_column: str | None = None,
) -> Export:
    """Read SIS users from files, folders and archives into one Export.

    ``paths`` is a list of files, folders or ZIP archives (one path is
    accepted too). A OneRoster folder or archive contains users.csv, and for
    OneRoster 1.2 also roles.csv. Its orgs.csv gives school names.
    ``sis_format`` is None to detect each file, or "oneroster", "powerschool"
    or "csv". ``column_map`` maps our field names to headers for "csv" files
    (see ``generic``). ``key_column`` names the column that contains the SIS
    key, in place of the sourcedId or DCID.

    :raise ExportError: for a file that cannot be read, a missing column,
        a malformed row, or a SIS key shared by two different people.
    """
    if sis_format is not None and sis_format not in SIS_FORMATS:
        raise ExportError(
            f"'{sis_format}' is not a SIS format. Use one of "
            f"{', '.join(SIS_FORMATS)}, or leave it out to detect the format."
        )

    with ExitStack() as scratch:
        tables = []
        for path in expand_paths(paths, scratch):
            table = open_table(path)
            tables.append((classify(table, sis_format), table))

        return read_tables(tables, column_map, key_column)


def read_tables(tables, column_map, key_column) -> Export:
    """Read the users of the classified tables into one Export."""
    export = Export(side="sis")
    orgs, roles = read_oneroster_links(tables, export)
    collector = SisCollector()
    keyed_tables = 0
    for kind, table in tables:
        if kind in (detect.ONEROSTER_ORGS, detect.ONEROSTER_ROLES):
            continue

        if kind == detect.ONEROSTER_1_2 and roles is None:
            raise ExportError(
                f"{table.name} is a OneRoster 1.2 users.csv, which has no role "
                "column, and no roles.csv was given. Pass the folder that contains "
                "both files, or add roles.csv."
            )

        table_key = key_column
        if key_column and kind != detect.GENERIC and not table.has(key_column):
            export.warnings.append(
                f"{table.name} has no column '{key_column}', so its SIS key "
                "stays in the usual column."
            )
            table_key = None
        else:
            keyed_tables += 1

        rows, warnings = read_table(
            kind, table, collector, orgs, roles, column_map, table_key
        )
        export.files.append((table.name, kind, rows))
        export.warnings.extend(warnings)

    if key_column and not keyed_tables:
        raise ExportError(
            f"No SIS file has the key column '{key_column}'. Name a column "
            "that the users files have, or leave the key column out."
        )

    add_oneroster_notes(tables, orgs, roles, export)
    if column_map and all(kind != detect.GENERIC for kind, _table in tables):
        export.warnings.append(
            "The column map was not used, because every file is a OneRoster or "
            "PowerSchool export. Choose the SIS format csv to apply it."
        )
    if collector.merged:
        export.warnings.append(
            f"{counted(collector.merged, 'SIS row repeats', 'SIS rows repeat')} a "
            "user already read (such as a person at more than one school), so "
            "each was merged into one user whose school lists all of them."
        )

    if not collector.users:
        names = ", ".join(table.name for _kind, table in tables)
        raise ExportError(
            f"{names}: the SIS export contains no users. Export the users again."
        )

    export.users = collector.users
    logger.info(
        "Read the SIS side: %d users from %d files", len(export.users), len(tables)
    )

    return export


def read_oneroster_links(tables, export: Export):
    """Read every orgs.csv and roles.csv, which users.csv rows refer to.

    Return the org names and the roles by user, each None when no such file
    was given.
    """
    orgs = roles = None
    for kind, table in tables:
        if kind == detect.ONEROSTER_ORGS:
            names, rows = read_orgs(table)
            orgs = {**(orgs or {}), **names}
        elif kind == detect.ONEROSTER_ROLES:
            records, rows, deleted = read_roles(table)
            roles = roles or {}
            for user_id, user_records in records.items():
                roles.setdefault(user_id, []).extend(user_records)
            if deleted:
                export.warnings.append(deleted_warning(table, deleted, "role"))
        else:
            continue
        export.files.append((table.name, kind, rows))
        export.warnings.extend(table.warnings)

    return orgs, roles


def read_table(kind, table, collector, orgs, roles, column_map, key_column):
    """Add the users of one users table to ``collector``, by its kind."""
    if kind == detect.ONEROSTER_1_1:
        return read_users(table, "1.1", collector, None, orgs, key_column)

    if kind == detect.ONEROSTER_1_2:
        return read_users(table, "1.2", collector, roles, orgs, key_column)

    if kind in detect.POWERSCHOOL_KINDS:
        return read_powerschool(table, kind, collector, key_column)

    return read_generic(table, collector, column_map, key_column)


def add_oneroster_notes(tables, orgs, roles, export: Export) -> None:
    """Warn about OneRoster files that are missing or were not needed."""
    kinds = {kind for kind, _table in tables}
    if roles is not None and detect.ONEROSTER_1_2 not in kinds:
        export.warnings.append(
            "roles.csv was not used, because no OneRoster 1.2 users.csv was "
            "given. A OneRoster 1.1 users.csv has its own role column."
        )

    has_users = kinds & {detect.ONEROSTER_1_1, detect.ONEROSTER_1_2}
    if has_users and orgs is None:
        export.warnings.append(
            "No orgs.csv was given, so schools are shown by their org sourcedId. "
            "Add orgs.csv from the same OneRoster export to show school names."
        )
