"""Time the export readers on large invented exports and print their figures.

Usage: ``.venv/bin/python benchmarks/read_exports.py [ROWS ...]`` (default
100000 and 1000000). For each size it writes a Schoology export and a
OneRoster 1.1 folder of that many users to a temporary folder. It reads each
in a fresh process and prints the seconds taken and the peak resident memory
of that process (``ru_maxrss``, which Linux reports in KiB).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHOOLS = ["Cedar Creek Elementary", "Maple Ridge Middle School", "Maple Ridge HS"]
ROLES = ["student"] * 8 + ["teacher", "parent"]

MEASURE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from server.core.readers import read_schoology, read_sis
start = time.perf_counter()
export = {call}
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"users": len(export.users), "seconds": seconds, "peak_kib": peak}}))
"""


def write_schoology(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["First Name", "Middle Name", "Last Name", "Username", "E-mail"]
            + ["User Unique ID", "Role", "Building or School", "Grad Year"]
            + ["Additional Schools", "Schoology User ID"]
        )
        for n in range(rows):
            role = ROLES[n % len(ROLES)].title()
            writer.writerow(
                [f"First{n}", "", f"Last{n}", f"user{n}", f"user{n}@example.org"]
                + [f"{n:07d}", role, SCHOOLS[n % 3], "2030", "", str(100000000 + n)]
            )


def write_oneroster(folder: Path, rows: int) -> None:
    folder.mkdir()
    with (folder / "orgs.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["sourcedId", "status", "dateLastModified", "name", "type"])
        for n, name in enumerate(SCHOOLS):
            writer.writerow([f"ORG{n}", "active", "", name, "school"])

    with (folder / "users.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["sourcedId", "status", "dateLastModified", "enabledUser"]
            + ["orgSourcedIds", "role", "username", "userIds", "givenName"]
            + ["familyName", "middleName", "identifier", "email", "sms", "phone"]
            + ["agentSourcedIds", "grades", "password"]
        )
        for n in range(rows):
            writer.writerow(
                [f"S{n:08d}", "active", "2026-08-20T07:15:00.000Z", "true"]
                + [f"ORG{n % 3}", ROLES[n % len(ROLES)], f"user{n}", ""]
                + [f"First{n}", f"Last{n}", "", f"{n:07d}", f"user{n}@example.org"]
                + ["", "", "", f"{n % 12 + 1:02d}", ""]
            )


def measure(call: str) -> dict:
    """Run one read in a fresh Python process and return its figures."""
    code = MEASURE.format(root=str(ROOT), call=call)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    return json.loads(result.stdout)


def main(sizes: list[int]) -> None:
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    with tempfile.TemporaryDirectory() as temp:
        for rows in sizes:
            schoology = Path(temp) / f"schoology-{rows}.csv"
            oneroster = Path(temp) / f"oneroster-{rows}"
            write_schoology(schoology, rows)
            write_oneroster(oneroster, rows)
            for name, call in (
                ("read_schoology", f"read_schoology({str(schoology)!r})"),
                ("read_sis OneRoster 1.1", f"read_sis([{str(oneroster)!r}])"),
            ):
                figures = measure(call)
                print(
                    f"{name}: {figures['users']:,} users in "
                    f"{figures['seconds']:.2f} s, peak memory "
                    f"{figures['peak_kib'] / 1024:.0f} MiB"
                )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100_000, 1_000_000])
