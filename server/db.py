"""The database engine and session of an app, and its Alembic migrations.

Each app gets one engine and a thread-local session registry, kept in
``app.extensions``. A request, a job or a command uses ``get_session()`` and the
session is removed when the app context ends.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from .core.errors import TransientError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
EXTENSION_KEY = "dataprep.db"


class Database:
    """The engine and session registry of one app."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = scoped_session(
            sessionmaker(bind=self.engine, expire_on_commit=False)
        )


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets a long busy timeout and foreign keys.

    Statement parameters are hidden from error messages, because they carry
    people's names and emails, and a failed request or job logs its error.
    """
    if url.startswith("sqlite"):
        # Concurrent writers (two submits, a job and a request) wait for the
        # lock instead of failing at once with "database is locked".
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite)
        return engine

    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask) -> None:
    """Create the app's engine, migrate it if configured, and tie sessions to it."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions[EXTENSION_KEY] = database

    if app.config["DATAPREP_MIGRATE"]:
        upgrade(database.engine)

    @app.teardown_appcontext
    def remove_session(_exc):
        database.sessions.remove()


def get_database(app: Flask | None = None) -> Database:
    """Return the Database of the given app, or of the current one."""
    app = app or current_app
    return app.extensions[EXTENSION_KEY]


def get_session() -> Session:
    """Return the session of the current app context's thread."""
    return get_database().sessions()


def alembic_config(engine: Engine) -> Config:
    """Build an Alembic configuration that runs on the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations up to ``revision``.

    :raise TransientError: when the database cannot be reached.
    """
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as error:
        logger.error("Migrating the database failed: %s", type(error).__name__)
        raise TransientError(
            f"The database at {engine.url.render_as_string(hide_password=True)} "
            "could not be reached; check DATABASE_URL and that the server runs."
        ) from error

    logger.info("Database schema is at revision %s", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert the Alembic migrations down to ``revision``."""
    command.downgrade(alembic_config(engine), revision)
