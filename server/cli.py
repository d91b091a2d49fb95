"""The ``dataprep`` command line.

Each command lives in a module of ``server.commands`` and is added to the group
here. An input error prints one line and exits non-zero, never a traceback.
"""

from __future__ import annotations

import logging

import click

from .core import frontend
from .core.errors import DataPrepError


class DataPrepGroup(click.Group):
    """A click group that turns a DataPrepError into a one-line message.

    Messages suggest command-line steps, such as "run the command again", in
    place of the web page's. The server that ``serve`` and ``demo`` run
    handles each request on a thread of its own, which keeps the web's words.
    """

    def invoke(self, ctx):
        try:
            with frontend.use(frontend.CLI):
                return super().invoke(ctx)
        except DataPrepError as error:
            click.echo(f"Error: {error.message}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=DataPrepGroup)
@click.option("-v", "--verbose", is_flag=True, help="Log progress and counts.")
def main(verbose: bool) -> None:
    """Prepare Schoology user mapping reports and apply them."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _add_commands() -> None:
    from .commands import accounts, database, demo, report, sources, updates

    main.add_command(report.report)
    main.add_command(database.init_db)
    main.add_command(database.serve)
    main.add_command(sources.import_group)
    main.add_command(updates.validate_command)
    main.add_command(updates.apply_command)
    main.add_command(updates.undo_command)
    main.add_command(updates.export_command)
    main.add_command(accounts.create_user_command)
    main.add_command(accounts.create_token_command)
    main.add_command(demo.demo)


_add_commands()
