"""SIS Data Prep: Schoology user mapping reports as Excel workbooks.

``create_app`` builds the Flask service. Nothing is built at import time, so
the command line, tests and RQ workers each make the app they need.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# Flask is imported inside create_app, so that importing server.core for the
# command line's report or a benchmark does not load the web stack.
if TYPE_CHECKING:
    from flask import Flask

logger = logging.getLogger(__name__)


def create_app(
    test_config: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Create the Flask app: configuration, database, jobs, auth and routes.

    Settings come from ``server.config.DEFAULTS``, then ``config.py`` in the
    instance folder, then the environment, then ``test_config``.
    """
    from flask import Flask

    from . import config as settings

    # DATAPREP_INSTANCE_PATH moves the instance folder (database, secret key,
    # stored reports) out of the checkout, as a deployment wants.
    instance_path = instance_path or os.environ.get("DATAPREP_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.env_settings())
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = settings.sqlite_url(app.instance_path)
    if not app.config["DATAPREP_STORAGE_DIR"]:
        app.config["DATAPREP_STORAGE_DIR"] = app.instance_path
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_secret_key(app.instance_path)

    try:
        init_subsystems(app)
    except Exception:
        close_app(app)
        raise

    logger.info("Created the app with the %s job backend", app.config["DATAPREP_JOBS"])

    return app


def init_subsystems(app: Flask) -> None:
    """Run each subsystem's ``init_app`` and register the blueprints."""
    from . import addin, api, auth, db, errors, jobs, services, web

    db.init_app(app)
    jobs.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    services.init_app(app)
    api.init_app(app)
    addin.init_app(app)
    web.init_app(app)


def close_app(app: Flask) -> None:
    """Stop the app's job threads and close its database connections."""
    from . import db, jobs

    backend = app.extensions.get(jobs.EXTENSION_KEY)
    if backend is not None:
        backend.close()

    database = app.extensions.get(db.EXTENSION_KEY)
    if database is not None:
        database.sessions.remove()
        database.engine.dispose()
