"""Shared fixtures: the examples folder and an app on a fresh database.

The ``app`` fixture uses a SQLite file in ``tmp_path``. When ``DATABASE_URL``
names a PostgreSQL database, each test gets its own schema there instead, and
the schema is dropped afterwards, so runs do not leak into each other.
"""

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture
def database_url(tmp_path):
    """Yield a URL of an empty database for one test."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path / "dataprep.sqlite")
        return

    schema = "test_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    test_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield test_url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(tmp_path, database_url):
    """Create the app on a migrated, empty database with jobs in threads."""
    from server import close_app, create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "DATAPREP_JOBS": "thread",
            "DATAPREP_STORAGE_DIR": str(tmp_path / "storage"),
            # scrypt takes about 0.4 s per hash; the tests create many accounts.
            "DATAPREP_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=str(tmp_path / "instance"),
    )
    yield app

    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
