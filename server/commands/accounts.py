"""``dataprep create-user`` and ``dataprep create-token``."""

from __future__ import annotations

import sys

import click

from ..auth import create_token, create_user, get_user
from ..core.errors import DataPrepError
from ..db import get_session
from ..models import ROLES
from .appcontext import with_app


def has_terminal() -> bool:
    """Tell whether standard input is a terminal that a prompt can read from."""
    return sys.stdin.isatty()


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="viewer",
    show_default=True,
    help="admin applies and undoes updates; viewer reads and validates.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
@with_app
def create_user_command(username: str, role: str, password_stdin: bool) -> None:
    """Create a staff account that can sign in."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif has_terminal():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        # Without a terminal, getpass warns that it cannot hide the input, and
        # the confirmation prompt then meets the end of the input and aborts.
        raise DataPrepError(
            "Standard input is not a terminal, so the password cannot be asked "
            "for; send it on standard input with --password-stdin."
        )

    session = get_session()
    create_user(session, username, password, role)
    session.commit()
    click.echo(f"Created {role} {username}.")


@click.command("create-token")
@click.argument("username")
@with_app
def create_token_command(username: str) -> None:
    """Print a new API token for an account; it replaces the earlier one."""
    session = get_session()
    token = create_token(session, get_user(session, username))
    session.commit()
    click.echo(token)
