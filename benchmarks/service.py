"""Time the service's database steps on an invented district and print the figures.

Usage: ``.venv/bin/python benchmarks/service.py [--users N] [--database URL]``.

The district is the one ``benchmarks/report.py`` invents. Each step calls
the service functions that the API and the command line call. The steps are:
import the Schoology export (snapshot and current users), import the
OneRoster folder, and generate a report (match, write .xlsx and .csv, store
the rows). Then validate the unedited report, preview it, apply it and undo
it. Every scenario 1 row whose Unique ID differs from the local ID is a change.

The database is a new SQLite file in a temporary folder unless ``--database``
names another. A PostgreSQL URL gets a schema of its own, dropped at the end.
``peak RSS`` is the process's ``ru_maxrss`` after each step, the peak of the
whole process so far.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import peak_rss_mib, timed, write_district  # noqa: E402

from server import close_app, create_app  # noqa: E402
from server.services import reports, sources, updates, validation  # noqa: E402
from server.services.uploads import UploadedFile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="people")
    parser.add_argument("--database", default="", help="SQLAlchemy URL")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dataprep-bench-") as scratch:
        folder = Path(scratch)
        url, drop = database_url(args.database, folder)
        try:
            run(folder, url, args.users)
        finally:
            drop()


def database_url(url: str, folder: Path):
    """Return the URL to use and a function that removes what was created."""
    if not url.startswith("postgresql"):
        return url or f"sqlite:///{folder / 'bench.sqlite'}", lambda: None

    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})

    return scoped.render_as_string(hide_password=False), drop


def step(name: str, function):
    """Run one step and print its wall and CPU seconds and the peak RSS."""
    result, wall, cpu = timed(function)
    print(f"{name:<22} {wall:7.2f} s wall {cpu:7.2f} s CPU {peak_rss_mib():7.0f} MiB")

    return result


def run(folder: Path, url: str, users: int) -> None:
    print(
        f"district: {users:,} people, {make_url(url).get_backend_name()}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    schoology_path, oneroster = write_district(folder, users)
    app = create_app(
        {
            "SECRET_KEY": "benchmark",
            "DATABASE_URL": url,
            "DATAPREP_STORAGE_DIR": str(folder / "storage"),
        },
        instance_path=str(folder / "instance"),
    )
    try:
        with app.app_context():
            run_steps(schoology_path, oneroster)
    finally:
        close_app(app)


def run_steps(schoology_path: Path, oneroster: Path) -> None:
    step("import Schoology", lambda: sources.import_schoology(schoology_path))
    sis = step("import SIS", lambda: sources.import_sis([oneroster]))

    def generate():
        params = reports.report_params(["email", "name"], sis.id)
        return reports.generate_report(
            params["options"],
            schoology_snapshot_id=params["schoology_snapshot_id"],
            sis_snapshot_id=params["sis_snapshot_id"],
        )

    report = step("generate report", generate)
    path = reports.report_file(report.id, "xlsx")
    upload = UploadedFile(path.name, path.read_bytes())
    checked = step("validate", lambda: validation.validate_file(upload))
    print(f"  rows {checked.result.totals['rows']:,}")
    del checked
    preview = step("preview", lambda: updates.preview_file(upload))
    result = step("apply", lambda: updates.apply_upload(preview.upload.id))
    print(f"  changes {result.batch.change_count:,}")
    step("undo", updates.undo_latest)

    start = time.perf_counter()
    updates.apply_upload(preview.upload.id)
    print(f"apply again            {time.perf_counter() - start:7.2f} s wall")


if __name__ == "__main__":
    main()
