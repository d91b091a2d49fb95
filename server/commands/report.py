"""The ``dataprep report`` command: build a user mapping report from exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.matching import parse_options
from ..core.readers import SIS_FORMATS
from ..core.report import (
    Report,
    WrittenReport,
    build_report,
    check_output_path,
    read_exports,
    write_outputs,
)
from ..services.sources import parse_column_map
from .appcontext import database_option
from .reportdb import NOT_WRITTEN, report_from_database
from .signals import stopped_with

SCENARIO_LABELS = {
    1: "in both systems and matched",
    2: "only in Schoology, or not matched",
    3: "only in the SIS",
}


class ProgressPrinter:
    """Print one stderr line per phase and per 10,000 rows written.

    It prints nothing unless ``enabled``, so a script that reads stdout gets
    only the result.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def phase(self, message: str) -> None:
        if self.enabled:
            click.echo(message, err=True)

    def rows(self, written: int, total: int | None) -> None:
        if self.enabled:
            of_total = "" if total is None else f" of {total:,}"
            click.echo(f"Wrote {written:,}{of_total} rows", err=True)


def print_result(report: Report, written: WrittenReport) -> None:
    """Print the counts per scenario, the output path and the warnings."""
    result = report.result
    for scenario, label in SCENARIO_LABELS.items():
        click.echo(f"Scenario {scenario} ({label}): {report.counts[scenario]:,}")

    by_option = ", ".join(
        f"{option} {count:,}" for option, count in result.option_counts.items()
    )
    click.echo(f"Scenario 1 by mapping option: {by_option}")
    click.echo(f"Report {report.report_id} written to {written.path}")

    if report.warnings:
        click.echo(f"Warnings ({len(report.warnings)}):")
        for warning in report.warnings:
            click.echo(f"- {warning}")


@click.command()
@click.option(
    "--schoology",
    "schoology",
    default=None,
    type=click.Path(path_type=Path),
    help="The Schoology user export (.csv or .xlsx).",
)
@click.option(
    "--sis",
    "sis",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A SIS export file or OneRoster folder. Repeat for several files. "
    "Leave out --schoology and --sis to use the imported data.",
)
@click.option(
    "--sis-format",
    type=click.Choice(SIS_FORMATS),
    default=None,
    help="The SIS export format. Detected from the headers when left out.",
)
@click.option(
    "--key-column",
    default=None,
    help="The SIS column that holds the SIS key, in place of the sourcedId or DCID.",
)
@click.option(
    "--column-map",
    default=None,
    metavar="FIELD=HEADER,...",
    help="Headers of a generic CSV export, for --sis-format csv. The fields are "
    "sis_key, number, first_name, middle_name, last_name, username, email, "
    "role, school and grade.",
)
@click.option(
    "--match",
    "options",
    required=True,
    metavar="OPTION[,OPTION...]",
    help="Mapping options in the order they run: unique-id, email, username, name.",
)
@click.option(
    "--output",
    default=None,
    # A folder is rejected by check_output_path, in one line that says what
    # to give instead.
    type=click.Path(path_type=Path),
    help="The report file to write: FILE.xlsx or FILE.csv.",
)
@database_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Print a line per phase on stderr. On by default when stderr is a terminal.",
)
def report(
    schoology: Path,
    sis: tuple[Path, ...],
    sis_format: str | None,
    key_column: str | None,
    column_map: str | None,
    options: str,
    output: Path | None,
    progress: bool | None,
    database_url: str,
) -> None:
    """Match a Schoology export to SIS exports and write the mapping report."""
    if progress is None:
        progress = sys.stderr.isatty()
    printer = ProgressPrinter(progress)

    # Check the cheap arguments before the exports are read.
    mapping_options = parse_options(options)
    fields = parse_column_map(column_map)
    if schoology is None and not sis:
        if output is not None:
            check_output_path(output)
        report_from_database(mapping_options, output, database_url, None)
        return

    if schoology is None or not sis or output is None:
        raise click.UsageError(
            "Give --schoology, --sis and --output to build a report from files, "
            "or leave out --schoology and --sis to use the imported data."
        )
    inputs = [("the Schoology export given with --schoology", schoology)]
    inputs += [("the SIS export given with --sis", path) for path in sis]
    check_output_path(output, inputs)

    # A signal unwinds the writers, which remove their temporary files.
    with stopped_with(NOT_WRITTEN) as note:
        schoology_export, sis_export = read_exports(
            schoology,
            sis,
            sis_format,
            column_map=fields,
            key_column=key_column,
            progress=printer.phase,
        )
        built = build_report(
            schoology_export, sis_export, mapping_options, progress=printer.phase
        )
        written = write_outputs(built, output, progress=printer.rows)
        note.message = f"Stopped after report {built.report_id} was written."
        print_result(built, written)
