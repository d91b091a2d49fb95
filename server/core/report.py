"""Build a user mapping report from two exports and write it as .xlsx or .csv.

``read_exports`` reads the Schoology and SIS files, ``build_report`` matches
them and collects what the Summary sheet shows, and ``write_outputs`` writes
the report in the format that the output file's suffix names. The command
line and the web views call these three in turn.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .csv_report import write_csv
from .errors import DataPrepError
from .layout import ReportRow
from .matching import MatchResult, check_option_fields, match, parse_options
from .model import Export
from .plural import counted
from .readers import read_schoology, read_sis
from .readers.detect import folder_files
from .suggest import add_suggestions
from .workbook import ReportMeta, write_report

logger = logging.getLogger(__name__)

OUTPUT_FORMATS = {".xlsx": "xlsx", ".csv": "csv"}
SIDE_NAMES = {"schoology": "Schoology", "sis": "SIS"}

PhaseCallback = Callable[[str], None]
RowsCallback = Callable[[int, int | None], None]


@dataclass(slots=True)
class Report:
    """A matched report: the rows in scenario order and the Summary facts.

    ``counts`` maps each scenario (1, 2, 3) to its number of rows.
    ``meta.warnings`` contains the readers' warnings and the matcher's.
    """

    report_id: str
    rows: list[ReportRow]
    counts: dict[int, int]
    meta: ReportMeta
    result: MatchResult

    @property
    def warnings(self) -> list[str]:
        return self.meta.warnings


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """The path, format and row count of a written report.

    ``digest`` is the workbook's content digest, or None for a CSV file.
    """

    path: Path
    format: str
    rows: int
    digest: str | None = None


def read_exports(
    schoology_path: str | Path,
    sis_paths: Sequence[str | Path],
    sis_format: str | None = None,
    *,
    column_map: dict[str, str] | None = None,
    key_column: str | None = None,
    progress: PhaseCallback | None = None,
) -> tuple[Export, Export]:
    """Read the Schoology export and the SIS export files or folders.

    ``column_map`` and ``key_column`` go to ``read_sis``.

    :raise ExportError: for a missing file, a missing column or a bad row,
        as the readers report it.
    """
    schoology = read_schoology(schoology_path)
    if progress is not None:
        progress(f"Read {counted(len(schoology.users), 'Schoology user')}")

    sis = read_sis(
        list(sis_paths),
        sis_format=sis_format,
        column_map=column_map,
        key_column=key_column,
    )
    if progress is not None:
        users = counted(len(sis.users), "SIS user")
        progress(f"Read {users} from {counted(len(sis.files), 'file')}")

    return schoology, sis


def build_report(
    schoology_export: Export,
    sis_export: Export,
    options: str | Sequence[str],
    *,
    report_id: str | None = None,
    progress: PhaseCallback | None = None,
) -> Report:
    """Match the two exports and assemble the rows and Summary facts.

    ``report_id`` defaults to a new uuid4 in hex. ``progress`` gets one line
    per phase, with counts.

    :raise MatchOptionError: when ``options`` is not a valid list, or an
        option has no values to compare on one side.
    """
    options = parse_options(options)
    report_id = report_id or uuid.uuid4().hex
    if progress is not None:
        progress(f"Matching on {', '.join(options)}")

    schoology_file = (
        schoology_export.files[0][0] if schoology_export.files else "Schoology"
    )
    field_warnings = check_option_fields(
        schoology_export.users, sis_export.users, options, schoology_file
    )
    result = match(schoology_export.users, sis_export.users, options)

    # Each scenario 2 row gets up to three SIS users from scenario 3, scored.
    add_suggestions(result.rows)

    meta = ReportMeta(
        report_id=report_id,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mapping_options=options,
        sources=_sources(schoology_export) + _sources(sis_export),
        counts=dict(result.counts),
        warnings=[
            *schoology_export.warnings,
            *sis_export.warnings,
            *field_warnings,
            *match_warnings(result, options),
        ],
    )
    if progress is not None:
        progress(
            f"Matched: scenario 1 {result.counts[1]:,}, scenario 2"
            f" {result.counts[2]:,}, scenario 3 {result.counts[3]:,}"
        )

    logger.info(
        "Built report %s: %d rows, %d warnings",
        report_id,
        len(result.rows),
        len(meta.warnings),
    )

    return Report(report_id, result.rows, result.counts, meta, result)


def _sources(export: Export) -> list[tuple[str, str, str, int]]:
    side = SIDE_NAMES.get(export.side, export.side)

    return [(side, name, kind, rows) for name, kind, rows in export.files]


def match_warnings(result: MatchResult, options: list[str]) -> list[str]:
    """Write the warnings about the match itself as full sentences."""
    warnings = []
    if result.ambiguous_schoology or result.ambiguous_sis:
        schoology = _count_users(result.ambiguous_schoology, "Schoology")
        sis = _count_users(result.ambiguous_sis, "SIS")
        warnings.append(
            f"{schoology} and {sis} share a matching value with another user, so"
            " no mapping option matched them. Their Match Note names the"
            " candidates. Type the right SIS local ID into the Integration-Mapping"
            " ID of those rows."
        )

    matched_by_option = sum(result.option_counts[option] for option in options)
    unmatched = result.counts[2]
    if unmatched and not matched_by_option:
        warnings.append(
            f"No user matched on {', '.join(options)}. Check that both exports"
            " fill the fields that these mapping options compare, or choose"
            " other mapping options."
        )

    return warnings


def _count_users(count: int, side: str) -> str:
    return f"{count:,} {side} {'user' if count == 1 else 'users'}"


def output_format(output_path: str | Path) -> str:
    """Name the report format that the output file's suffix requests.

    :raise DataPrepError: for a suffix other than .xlsx or .csv.
    """
    path = Path(output_path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        suffix_text = f"the suffix '{path.suffix}'" if path.suffix else "no suffix"
        raise DataPrepError(
            f"{path}: the output file has {suffix_text}. Give a file name"
            " ending in .xlsx for an Excel workbook or .csv for a CSV file."
        )

    return OUTPUT_FORMATS[suffix]


def check_output_path(
    output_path: str | Path, inputs: Sequence[tuple[str, str | Path]] = ()
) -> str:
    """Check that a report can go to ``output_path`` and return its format.

    The command line calls this before reading the exports, so a typo in the
    output path fails at once rather than after the match. ``inputs`` lists
    ``(description, path)`` for each export file or folder given, such as
    ``("the Schoology export", "users.csv")``, so that the report never
    replaces one of them.

    :raise DataPrepError: for an unknown suffix, a folder that does not
        exist, a path that is a folder, or a path that is one of ``inputs``.
    """
    path = Path(output_path)
    if path.is_dir():
        raise DataPrepError(
            f"{path} is a folder. Give the name of the report file to write,"
            f" such as {path / 'report.xlsx'}."
        )

    kind = output_format(path)
    _check_not_input(path, inputs)
    folder = path.parent
    if not folder.is_dir():
        raise DataPrepError(
            f"{path}: the folder {folder} does not exist. Create it first, or"
            " choose an output file in a folder that exists."
        )

    return kind


def _check_not_input(path: Path, inputs: Sequence[tuple[str, str | Path]]) -> None:
    """Raise when ``path`` is an input file, or a file that an input folder reads.

    The paths are compared with ``os.path.samefile``, so a symlink or a
    spelling such as ``sis/../users.csv`` is caught too.
    """
    if not path.is_file():
        return

    for description, given in inputs:
        given = Path(given)
        if given.is_dir():
            files = [
                (f"{file.name} in {description}", file) for file in folder_files(given)
            ]
        else:
            files = [(description, given)]
        for label, file in files:
            if file.is_file() and os.path.samefile(path, file):
                raise DataPrepError(
                    f"{path}: the output file is {label}, so writing the report"
                    " would overwrite that export. Choose another output file."
                )


def write_outputs(
    report: Report,
    output_path: str | Path,
    *,
    progress: RowsCallback | None = None,
) -> WrittenReport:
    """Write the report as .xlsx or .csv, as the suffix of ``output_path`` names.

    ``progress(rows_written, total)`` is called every 10,000 rows and at the
    end.

    :raise DataPrepError: for an unknown suffix or a path that cannot be
        written.
    """
    path = Path(output_path)
    kind = check_output_path(path)
    total = len(report.rows)

    if kind == "xlsx":
        try:
            info = write_report(path, report.rows, report.meta, progress=progress)
        except OSError as error:
            raise DataPrepError(
                f"Cannot write the report to {path}: {error.strerror or error}."
                " Choose a path in a folder that exists and that you can write to."
            ) from error
        written = WrittenReport(path, kind, info.rows, info.digest)
    else:
        rows = write_csv(
            path,
            report.rows,
            progress=None if progress is None else (lambda n: progress(n, total)),
        )
        written = WrittenReport(path, kind, rows)

    logger.info("Wrote report %s as %s: %d rows", report.report_id, kind, written.rows)

    return written
