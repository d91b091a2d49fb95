"""``dataprep import schoology FILE`` and ``dataprep import sis FILE...``."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.plural import counted
from ..core.readers import SIS_FORMATS
from ..services import sources
from .appcontext import acting_user, user_option, with_app

existing_path = click.Path(exists=True, path_type=Path)


@click.group("import")
def import_group() -> None:
    """Import a Schoology export or SIS exports into the database."""


def print_snapshot(snapshot) -> None:
    click.echo(
        f"Imported {snapshot.side} snapshot {snapshot.id}: "
        f"{counted(snapshot.row_count, 'user')} from "
        f"{counted(len(snapshot.files), 'file')}."
    )
    for name, file_format, rows in snapshot.files:
        click.echo(f"- {name}: {file_format}, {counted(rows, 'row')}")
    if snapshot.warnings:
        click.echo(f"Warnings ({len(snapshot.warnings)}):")
        for warning in snapshot.warnings:
            click.echo(f"- {warning}")


@import_group.command("schoology")
@click.argument("file", type=existing_path)
@user_option
@with_app
def import_schoology(file: Path, username: str | None) -> None:
    """Import a Schoology user export; it replaces the current Schoology users."""
    snapshot = sources.import_schoology(file, user=acting_user(username))
    print_snapshot(snapshot)


@import_group.command("sis")
@click.argument("files", nargs=-1, required=True, type=existing_path)
@click.option(
    "--format",
    "sis_format",
    type=click.Choice(SIS_FORMATS),
    default=None,
    help="The SIS export format. Detected from the headers when left out.",
)
@click.option("--key-column", default=None, help="The column that holds the SIS key.")
@click.option(
    "--column-map",
    default=None,
    metavar="FIELD=HEADER,...",
    help="Headers of a generic CSV export, for --format csv.",
)
@user_option
@with_app
def import_sis(
    files: tuple[Path, ...],
    sis_format: str | None,
    key_column: str | None,
    column_map: str | None,
    username: str | None,
) -> None:
    """Import SIS export files or OneRoster folders as one SIS snapshot."""
    snapshot = sources.import_sis(
        list(files),
        sis_format=sis_format,
        column_map=sources.parse_column_map(column_map),
        key_column=key_column,
        user=acting_user(username),
    )
    print_snapshot(snapshot)
