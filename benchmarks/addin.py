"""Measure the add-in's Validate: payload size and server time, and print them.

Usage: ``.venv/bin/python benchmarks/addin.py [--users N ...] [--repeat R]``
(default: 10000 and 100000 users, 3 runs each).

For each size the script writes the invented district of
``benchmarks/report.py``, imports it into a fresh SQLite database, generates
a report with the mapping option ``email``, and turns the report workbook
into the payload that the add-in's client sends (``payload_from_workbook``).
It then posts that payload to ``POST /addin/validate`` through Flask's test
client, so the server time covers JSON parsing, xlwings' remote engine, the
validation service and the response, but no network. For comparison it posts
the same workbook file to the web upload's ``POST /api/validate``. The fastest
of R runs counts. The payload size is the JSON text as the client sends it.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server import close_app, create_app  # noqa: E402
from server.addin.payloads import payload_from_workbook  # noqa: E402
from server.auth import create_token, create_user  # noqa: E402
from server.db import get_session  # noqa: E402
from server.services import reports, sources, storage  # noqa: E402


def load_district_writer():
    """Load ``write_district`` from benchmarks/report.py, the report benchmark."""
    spec = importlib.util.spec_from_file_location(
        "report_benchmark", Path(__file__).with_name("report.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    return module.write_district


def build_report(app, folder: Path, users: int) -> tuple[bytes, str]:
    """Import the district, generate a report, and return its bytes and a token."""
    schoology_path, oneroster = load_district_writer()(folder, users)
    with app.app_context():
        schoology = sources.import_schoology(schoology_path)
        sis = sources.import_sis(sorted(oneroster.glob("*.csv")))
        report = reports.generate_report(
            ["email"], schoology_snapshot_id=schoology.id, sis_snapshot_id=sis.id
        )
        data = storage.absolute(report.xlsx_path).read_bytes()
        session = get_session()
        user = create_user(session, "bench.viewer", "benchmark password", "viewer")
        token = create_token(session, user)
        session.commit()

    return data, token


def measure(users: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="dataprep-addin-bench-") as tmp:
        folder = Path(tmp)
        app = create_app(
            {
                "SECRET_KEY": "benchmark",
                "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
                "DATAPREP_STORAGE_DIR": str(folder / "storage"),
                "MAX_CONTENT_LENGTH": 1024 * 1024 * 1024,
            },
            instance_path=str(folder / "instance"),
        )
        try:
            data, token = build_report(app, folder, users)
            text = json.dumps(payload_from_workbook(data))

            client = app.test_client()
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            }
            times = []
            web_times = []
            response = None
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.post("/addin/validate", data=text, headers=headers)
                times.append(time.perf_counter() - started)
                check(response)

                started = time.perf_counter()
                web = client.post(
                    "/api/validate",
                    data={"file": (io.BytesIO(data), "report.xlsx")},
                    headers={"Authorization": headers["Authorization"]},
                )
                web_times.append(time.perf_counter() - started)
                check(web)
        finally:
            close_app(app)

    rows = response.json["counts"]["rows"]

    return {
        "users": users,
        "rows": rows,
        "xlsx_mib": len(data) / 2**20,
        "payload_mib": len(text.encode("utf-8")) / 2**20,
        "response_mib": len(response.data) / 2**20,
        "actions": len(response.json["actions"]),
        "server_seconds": min(times),
        "web_seconds": min(web_times),
    }


def check(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"Validate failed: {response.get_data(as_text=True)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

    print(
        f"{'users':>8} {'rows':>8} {'xlsx MiB':>9} {'payload MiB':>12} "
        f"{'response MiB':>13} {'actions':>8} {'server s':>9} {'web s':>6}"
    )
    for users in args.users:
        figures = measure(users, args.repeat)
        print(
            f"{figures['users']:>8,} {figures['rows']:>8,} "
            f"{figures['xlsx_mib']:>9.1f} {figures['payload_mib']:>12.1f} "
            f"{figures['response_mib']:>13.2f} {figures['actions']:>8,} "
            f"{figures['server_seconds']:>9.2f} {figures['web_seconds']:>6.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
