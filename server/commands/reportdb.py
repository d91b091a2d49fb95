"""The database mode of ``dataprep report``: the imported data, recorded.

Without ``--schoology`` and ``--sis``, ``dataprep report`` compares the
current Schoology users with the newest SIS snapshot. It records the run as a
job and a report, so the report appears in the Logs and can be validated and
applied, and copies the stored file to ``--output`` when one is given.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..core.errors import DataPrepError
from ..core.report import output_format
from ..services import reports
from .appcontext import acting_user, app_context


def report_from_database(
    options: list[str], output: Path | None, database_url: str, username: str | None
) -> None:
    """Generate and record a report from the imported data, then print it."""
    kind = output_format(output) if output is not None else None
    with app_context(database_url):
        report = reports.generate_now(options, user=acting_user(username))
        print_stored(report)
        if kind is not None:
            source = reports.report_file(report.id, kind)
            try:
                shutil.copyfile(source, output)
            except OSError as error:
                raise DataPrepError(
                    f"{output} could not be written ({error.strerror}); pick "
                    "another --output path."
                ) from None
            click.echo(f"Report {report.id} written to {output}")


def print_stored(report) -> None:
    counts = report.counts
    click.echo(
        f"Report {report.id}: scenario 1 {counts['1']:,}, scenario 2 "
        f"{counts['2']:,}, scenario 3 {counts['3']:,}, already linked "
        f"{counts['already_linked']:,}."
    )
