"""The Alembic migrations: they build the schema that the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import downgrade, get_database, upgrade
from server.models import Base

pytestmark = pytest.mark.database


def test_migrations_match_models(app):
    engine = get_database(app).engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_migrations_downgrade_and_upgrade(app):
    engine = get_database(app).engine
    downgrade(engine, "base")
    tables_after_downgrade = set(inspect(engine).get_table_names())
    upgrade(engine)
    tables_after_upgrade = set(inspect(engine).get_table_names())

    assert tables_after_downgrade <= {"alembic_version"}
    assert set(Base.metadata.tables) <= tables_after_upgrade
