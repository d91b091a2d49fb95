"""``dataprep create-user`` and ``dataprep create-token``."""

from __future__ import annotations

import sys

import click

from ..auth import create_token, create_user, get_user
from ..db import get_session
from ..models import ROLES
from .appcontext import with_app


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
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

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
