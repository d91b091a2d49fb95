"""The database mode of ``dataprep report``: the imported data, recorded.

Without ``--schoology`` and ``--sis``, ``dataprep report`` compares the
current Schoology users with the newest SIS snapshot. It records the run as a
job and a report, so the report appears in the Logs and can be validated and
applied, and copies the stored file to ``--output`` when one is given.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from ..core.errors import DataPrepError
from ..core.report import output_format
from ..services import reports
from .appcontext import acting_user, app_context
from .signals import stopped_with

NOT_WRITTEN = "Stopped; no report was written."


def report_from_database(
    options: list[str], output: Path | None, database_url: str, username: str | None
) -> None:
    """Generate and record a report from the imported data, then print it.

    A job stopped by a signal stores no report, and a stopped copy leaves
    ``output`` as it was.
    """
    kind = output_format(output) if output is not None else None
    with app_context(database_url), stopped_with(NOT_WRITTEN) as note:
        report = reports.generate_now(options, user=acting_user(username))
        note.message = f"Stopped after report {report.id} was stored."
        print_stored(report)
        if kind is not None:
            note.message = (
                f"Stopped after report {report.id} was stored, but {output} was "
                "not written. Download the report from the Logs page."
            )
            copy_report(reports.report_file(report.id, kind), output)
            note.message = f"Stopped after report {report.id} was written."
            click.echo(f"Report {report.id} written to {output}")


def copy_report(source: Path, output: Path) -> None:
    """Copy a stored report file to ``output`` through a temporary file.

    The copy replaces ``output`` only once it is complete, so a failed or
    stopped copy leaves no part of a report behind.

    :raise DataPrepError: when ``output`` cannot be written.
    """
    temporary = output.with_name(f".{output.name}.{os.getpid()}.part")
    try:
        try:
            shutil.copyfile(source, temporary)
            os.replace(temporary, output)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise DataPrepError(
            f"{output} could not be written ({error.strerror}); pick another "
            "--output path."
        ) from None


def print_stored(report) -> None:
    counts = report.counts
    click.echo(
        f"Report {report.id}: scenario 1 {counts['1']:,}, scenario 2 "
        f"{counts['2']:,}, scenario 3 {counts['3']:,}, already linked "
        f"{counts['already_linked']:,}."
    )
