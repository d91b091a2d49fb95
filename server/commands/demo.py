"""``dataprep demo``: the web service on 127.0.0.1 with the example district.

The demo always uses a new SQLite database in its own instance folder, so it
never touches the database that ``DATABASE_URL`` or the default instance
folder names. It imports ``examples/schoology/users.csv`` and the OneRoster
1.1 export in ``examples/oneroster/``, creates an admin account with a random
password and generates a report of the example district. It prints the URL,
the credentials and where the report's .xlsx file is, and serves until Ctrl+C.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import signal
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask

from ..core.errors import DataPrepError
from ..core.plural import counted
from .database import log_service_events

logger = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
SCHOOLOGY_EXAMPLE = Path("schoology") / "users.csv"
SIS_EXAMPLE = Path("oneroster")
ADMIN_USERNAME = "admin"
HOST = "127.0.0.1"
# The mapping options of the demo's report, as scripts/example uses them.
REPORT_OPTIONS = ["email", "name"]


@dataclass(slots=True)
class Demo:
    """A prepared demo: the app, its instance folder and the admin's credentials."""

    app: Flask
    instance_path: Path
    username: str
    password: str
    schoology_users: int
    sis_users: int
    token: str = ""
    report_id: str = ""
    report_path: Path | None = None

    @property
    def database_url(self) -> str:
        return "sqlite:///" + str(self.instance_path / "dataprep.sqlite")


def check_instance_folder(path: Path) -> None:
    """Reject an instance folder that exists and is not empty.

    :raise DataPrepError: when the folder contains files, because the demo needs a
        fresh database and must not overwrite anything.
    """
    if path.exists() and not path.is_dir():
        raise DataPrepError(
            f"--instance {path} is a file; give a folder that is empty or does "
            "not exist yet."
        )

    if path.is_dir() and any(path.iterdir()):
        raise DataPrepError(
            f"--instance {path} is not empty; the demo needs a fresh database. "
            "Give an empty or new folder, or leave out --instance to use a "
            "temporary one."
        )


def check_examples(examples: Path) -> None:
    """Check that the example district's files are present.

    :raise DataPrepError: when a file is missing, as in an installed package
        without the repository's ``examples/`` folder.
    """
    for part in (SCHOOLOGY_EXAMPLE, SIS_EXAMPLE / "users.csv"):
        if not (examples / part).is_file():
            raise DataPrepError(
                f"The example file {examples / part} is missing; run the demo from "
                "a checkout of the repository or pass --examples FOLDER."
            )


def prepare_demo(
    instance_path: Path, examples: Path = EXAMPLES_DIR, username: str = ADMIN_USERNAME
) -> Demo:
    """Create the app on a fresh database, import the examples and add an admin.

    It also generates a report of the example district as the admin, stored
    in the database like any other, so that the demo can validate and apply
    an edited copy of its .xlsx file.
    """
    from .. import close_app, create_app
    from ..auth import create_token, create_user
    from ..db import get_session
    from ..services import reports, sources

    check_examples(examples)
    instance_path.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            # Set here, so that DATABASE_URL or an instance config.py in the
            # environment cannot point the demo at a real database.
            "DATABASE_URL": "sqlite:///" + str(instance_path / "dataprep.sqlite"),
            "DATAPREP_STORAGE_DIR": str(instance_path),
            "DATAPREP_JOBS": "thread",
            "DATAPREP_MIGRATE": True,
        },
        instance_path=str(instance_path),
    )
    password = secrets.token_urlsafe(12)
    try:
        with app.app_context():
            session = get_session()
            admin = create_user(session, username, password, "admin")
            token = create_token(session, admin)
            session.commit()
            schoology = sources.import_schoology(examples / SCHOOLOGY_EXAMPLE)
            sis = sources.import_sis([examples / SIS_EXAMPLE])
            counts = (schoology.row_count, sis.row_count)
            report = reports.generate_now(REPORT_OPTIONS, user=admin)
            report_path = reports.report_file(report.id, "xlsx")
    except Exception:
        close_app(app)
        raise

    logger.info(
        "Prepared the demo with %d Schoology and %d SIS users and report %s",
        *counts,
        report.id,
    )

    return Demo(
        app,
        instance_path,
        username,
        password,
        *counts,
        token=token,
        report_id=report.id,
        report_path=report_path,
    )


def serve(demo: Demo, port: int, ready: threading.Event | None = None) -> None:
    """Serve the demo app on 127.0.0.1 until interrupted, then stop its jobs."""
    from werkzeug.serving import make_server

    from .. import close_app

    # The socket is bound here because werkzeug's server exits the process
    # on a port in use instead of raising.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, port))
        listener.listen()
    except OSError as error:
        listener.close()
        close_app(demo.app)
        raise DataPrepError(
            f"Port {port} on {HOST} cannot be used ({error.strerror}); pass "
            "another --port, or --port 0 for a free one."
        ) from error

    bound_port = listener.getsockname()[1]
    server = make_server(
        HOST, bound_port, demo.app, threaded=True, fd=listener.fileno()
    )
    # The server works on its own duplicate of the socket.
    listener.close()

    url = f"http://{HOST}:{bound_port}/"
    click.echo(f"SIS Data Prep demo: {url}")
    click.echo(f"Sign in as {demo.username!r} with the password {demo.password!r}.")
    click.echo(
        f"Imported {counted(demo.schoology_users, 'Schoology user')} and "
        f"{counted(demo.sis_users, 'SIS user')}. Instance folder: {demo.instance_path}"
    )
    click.echo(
        f"Report {demo.report_id} of the example district (mapping options "
        f"{', '.join(REPORT_OPTIONS)}): {demo.report_path}"
    )
    click.echo(
        f"It is also on the Logs page ({url}logs/). Edit a copy of that report, "
        "then validate or apply it in this demo."
    )
    click.echo(
        f"API token of {demo.username!r}: {demo.token} (send it as "
        f"'Authorization: Bearer TOKEN'; the API is described at "
        f"{url}api/openapi.json)"
    )
    click.echo(
        "Commands take --database to work on this demo, as in: dataprep "
        f"validate FILE --database {demo.database_url}"
    )
    click.echo("Press Ctrl+C to stop.")
    if ready is not None:
        ready.set()

    stop_on_sigterm()
    try:
        # werkzeug's serve_forever returns when Ctrl+C or SIGTERM interrupts it.
        server.serve_forever()
    finally:
        server.server_close()
        close_app(demo.app)
    click.echo("Stopped the demo.")


def stop_on_sigterm() -> None:
    """Make SIGTERM stop the demo like Ctrl+C, so its temporary folder is removed."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


@click.command("demo")
@click.option(
    "--instance",
    "instance_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Empty or new folder for the demo's database and files. Default: a "
    "temporary folder, removed when the demo stops.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="TCP port on 127.0.0.1; 0 picks a free port.",
)
@click.option(
    "--examples",
    "examples_folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder with schoology/users.csv and oneroster/. Default: the "
    "repository's examples/.",
)
def demo(instance_folder: Path | None, port: int, examples_folder: Path | None):
    """Run the web service on 127.0.0.1 with the example district imported."""
    log_service_events()
    temporary = instance_folder is None
    if temporary:
        instance_folder = Path(tempfile.mkdtemp(prefix="dataprep-demo-"))
    else:
        check_instance_folder(instance_folder)

    try:
        prepared = prepare_demo(
            instance_folder.resolve(), examples_folder or EXAMPLES_DIR
        )
        serve(prepared, port)
    finally:
        if temporary:
            shutil.rmtree(instance_folder, ignore_errors=True)
