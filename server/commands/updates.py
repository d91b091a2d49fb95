"""``dataprep validate``, ``apply``, ``undo`` and ``export``.

They call the same services as the API, so a workbook that validates here
validates on the web page and in the add-in too.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from ..core.errors import DataPrepError
from ..core.plural import counted
from ..models import ADMIN
from ..services import exports, updates, validation
from ..services.uploads import UploadedFile
from .appcontext import acting_user, user_option, with_app
from .signals import stopped_with

logger = logging.getLogger(__name__)

NOTHING_CHANGED = "Stopped; nothing was changed."

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)

# Rows with findings printed before the rest are only counted.
MAX_PRINTED_ROWS = 50


def read_upload(path: Path) -> UploadedFile:
    return UploadedFile(path.name, path.read_bytes())


def print_findings(result, show_all: bool) -> None:
    """Print the totals, the notes and each row with a warning or an error."""
    totals = result.totals
    click.echo(
        f"{result.name}: {counted(totals['rows'], 'row')}, {totals['error']:,} with "
        "errors, "
        f"{totals['warning']:,} with warnings, {totals['ids']:,} with an "
        "Integration-Mapping ID."
    )
    for note in result.notes:
        click.echo(f"Note: {note}")

    shown = [row for row in result.rows if show_all or row.level != "ok"]
    for row in shown[: None if show_all else MAX_PRINTED_ROWS]:
        click.echo(f"{row.sheet} row {row.row}: {row.status_text()}")
    hidden = len(shown) - MAX_PRINTED_ROWS
    if hidden > 0 and not show_all:
        click.echo(f"... and {counted(hidden, 'more row')} with findings (use --all).")


@click.command("validate")
@click.argument("file", type=existing_file)
@click.option("--all", "show_all", is_flag=True, help="Print every row, also OK ones.")
@with_app
def validate_command(file: Path, show_all: bool) -> None:
    """Check an edited report; exit status 1 when any row has an error."""
    with stopped_with("Stopped; the workbook was not validated."):
        checked = validation.validate_file(read_upload(file))
        print_findings(checked.result, show_all)
    if checked.result.has_errors:
        sys.exit(1)


def print_plan(plan) -> None:
    """Print every Unique ID change and the counts per outcome."""
    for change in plan.changes:
        before = change.before or "(empty)"
        click.echo(
            f"Schoology user {change.schoology_id}: {before} -> {change.after} "
            f"({change.sheet} row {change.row})"
        )
    totals = plan.totals
    parts = [
        counted(totals["change"], "Unique ID changes", "Unique IDs change"),
        counted(totals["unchanged"], "is already linked", "are already linked"),
        counted(totals["blank"], "row has no ID", "rows have no ID"),
        counted(totals["skipped"], "user left Schoology", "users left Schoology"),
    ]
    click.echo(", ".join(parts) + ".")


@click.command("apply")
@click.argument("file", type=existing_file)
@click.option("--yes", is_flag=True, help="Apply without asking for confirmation.")
@user_option
@with_app
def apply_command(file: Path, yes: bool, username: str | None) -> None:
    """Preview an edited report's changes and apply them after confirmation."""
    user = acting_user(username, ADMIN)
    with stopped_with(NOTHING_CHANGED) as note:
        preview = updates.preview_file(read_upload(file), user)
        if preview.plan is None:
            print_findings(preview.validation.result, show_all=False)
            click.echo("Nothing was changed; fix the errors and run apply again.")
            sys.exit(1)

        print_plan(preview.plan)
        if not preview.plan.changes:
            click.echo("Nothing to change.")
            return

        if not yes:
            click.confirm("Apply these changes?", abort=True)

        note.message = functools.partial(stopped_apply, preview.upload.id)
        result = updates.apply_upload(preview.upload.id, user)
        note.message = result.message
        click.echo(result.message)


def stopped_apply(upload_id: str) -> str:
    """Say whether a stopped apply committed its batch, from the database."""
    try:
        batch = updates.batch_of_upload(upload_id)
    except SQLAlchemyError:
        logger.exception("Looking up the batch of stopped upload %s failed", upload_id)
        return (
            "Stopped; whether Update Users committed is unknown. Validate the "
            "workbook again: it reports whether the report was applied."
        )

    if batch is None:
        return NOTHING_CHANGED

    return (
        f"Stopped after Update Users applied batch {batch.id}. Run 'dataprep undo' "
        "to restore the Unique IDs it changed."
    )


@click.command("undo")
@click.option("--yes", is_flag=True, help="Undo without asking for confirmation.")
@user_option
@with_app
def undo_command(yes: bool, username: str | None) -> None:
    """Undo the newest update batch, restoring every Unique ID it changed."""
    user = acting_user(username, ADMIN)
    batch = updates.latest_batch()
    if batch is not None and not yes:
        click.confirm(
            f"Undo batch {batch.id} of report {batch.report_id}, restoring "
            f"{counted(batch.change_count, 'Unique ID')}?",
            abort=True,
        )

    record = updates.undo_latest(user)
    click.echo(
        f"Restored the Unique ID of {counted(record.restored_count, 'Schoology user')} "
        f"(batch {record.batch_id})."
    )


@click.command("export")
@click.argument("what", type=click.Choice(["changes", "users"]), default="changes")
@click.option("--batch", "batch_id", type=int, default=None, help="Batch number.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write. Default: the export's own name in this folder.",
)
@with_app
def export_command(what: str, batch_id: int | None, output: Path | None) -> None:
    """Write a CSV for Schoology's user import: a batch's changes or all users."""
    if what == "changes":
        name, data = exports.changes_csv(batch_id)
    else:
        name, data = exports.users_csv()

    target = output or Path(name)
    try:
        target.write_bytes(data)
    except OSError as error:
        raise DataPrepError(
            f"{target} could not be written ({error.strerror}); pick another "
            "--output path."
        ) from None

    click.echo(f"Wrote {target}")
