"""``dataprep init-db`` and ``dataprep serve``."""

from __future__ import annotations

import logging

import click

from .. import create_app
from .appcontext import database_option


@click.command("init-db")
@database_option
def init_db(database_url: str) -> None:
    """Create or upgrade the database schema to the latest migration."""
    config = {"DATAPREP_MIGRATE": True}
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    url = app.config["DATABASE_URL"]
    click.echo(f"The database is up to date: {_safe_url(url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def log_service_events() -> None:
    """Log the service's INFO records, such as imports, jobs and updates.

    The other commands log warnings only unless ``--verbose`` is given, but a
    server is watched through its log.
    """
    service_logger = logging.getLogger("server")
    if service_logger.getEffectiveLevel() > logging.INFO:
        service_logger.setLevel(logging.INFO)


@click.command("serve")
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5000, show_default=True, type=int, help="TCP port.")
@click.option(
    "--debug", is_flag=True, help="Reload on code changes; never in production."
)
@click.option(
    "--https",
    "use_https",
    is_flag=True,
    help="Serve HTTPS with a local development certificate, as the Excel add-in needs.",
)
def serve(
    database_url: str, host: str, port: int, debug: bool, use_https: bool
) -> None:
    """Run the web service with Flask's development server."""
    log_service_events()
    config = {}
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    ssl_context = None
    if use_https:
        from ..addin.certs import ensure_certificates

        paths = ensure_certificates(app.instance_path)
        ssl_context = (str(paths.cert), str(paths.key))
        click.echo(
            f"Trust {paths.ca_cert} once to sideload the add-in (docs/addin.md)."
        )
    app.run(
        host=host, port=port, debug=debug, use_reloader=debug, ssl_context=ssl_context
    )
