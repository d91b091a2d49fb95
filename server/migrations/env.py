"""Alembic environment: runs the migrations on the engine that server.db passes.

``server.db.upgrade`` puts the app's engine in ``config.attributes``. Run
directly (``alembic -c ...``), the URL comes from ``DATABASE_URL``.
"""

import os

from alembic import context
from sqlalchemy import create_engine

from server.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run the migrations in one transaction on the configured engine."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(os.environ["DATABASE_URL"])

    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot alter most constraints in place, so Alembic
            # copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; pass a database URL.")

run_migrations()
