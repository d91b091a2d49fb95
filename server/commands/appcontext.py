"""Shared pieces of the commands that work on the service's database.

A command builds its own app on the database that ``--database`` or
``DATABASE_URL`` names. Run through Flask's test runner, it uses the app of
the runner's ScriptInfo instead, unless ``--database`` is on the command line.
"""

from __future__ import annotations

import contextlib
import functools

import click
from click.core import ParameterSource
from flask.cli import ScriptInfo

from ..auth import get_user
from ..core.errors import DataPrepError
from ..db import get_session
from ..models import ADMIN, User

database_option = click.option(
    "--database",
    "database_url",
    envvar="DATABASE_URL",
    default="",
    help="SQLAlchemy URL of the database (also DATABASE_URL). Default: the "
    "SQLite file in the instance folder.",
)

user_option = click.option(
    "--user",
    "username",
    default=None,
    help="Record this account as the one who ran the command.",
)


def build_app(database_url: str = ""):
    """Create the app for a command, on the given database or the default one."""
    from .. import create_app

    config = {}
    if database_url:
        config["DATABASE_URL"] = database_url

    return create_app(config)


@contextlib.contextmanager
def app_context(database_url: str = ""):
    """Run the body inside an app context: the runner's app, or a new one."""
    ctx = click.get_current_context()
    info = ctx.find_object(ScriptInfo)
    from_command_line = (
        ctx.get_parameter_source("database_url") == ParameterSource.COMMANDLINE
    )
    if info is not None and not from_command_line:
        app = info.load_app()
        with app.app_context():
            yield app
        return

    from .. import close_app

    app = build_app(database_url)
    try:
        with app.app_context():
            yield app
    finally:
        close_app(app)


def with_app(command):
    """Give a command a ``--database`` option and run it inside an app context."""

    @database_option
    @functools.wraps(command)
    def wrapper(database_url, **kwargs):
        with app_context(database_url):
            return command(**kwargs)

    return wrapper


def acting_user(username: str | None, role: str | None = None) -> User | None:
    """Find the ``--user`` account, checking its role when one is needed.

    :raise DataPrepError: when the account is missing or its role is too low.
    """
    if username is None:
        return None

    user = get_user(get_session(), username)
    if role == ADMIN and user.role != ADMIN:
        raise DataPrepError(
            f"User {username!r} is a {user.role}; only an admin can do this."
        )

    return user
