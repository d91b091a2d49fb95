"""Time a whole user mapping report on an invented district and print the figures.

Usage: ``.venv/bin/python benchmarks/report.py [--users N] [--repeat R]
[--no-tracemalloc] [--keep DIR]``.

The district has N people: about 85% in both systems, 10% only in
Schoology and 5% only in the SIS. Of the people in both, 8% have another
email in Schoology (a changed name), so matching on email leaves each of
them as a scenario 2 row and a scenario 3 row. A district of a million thus
has more rows than one Mapping sheet can contain. A fifth of the people in
both systems are already linked (their Unique ID is the SIS local ID).
Student SIS keys and numbers have leading zeros.

The script writes a Schoology CSV and a OneRoster 1.1 folder, then times the
readers, the report build (matching) and the workbook writer, and writes the
same cells to an unstyled openpyxl write-only workbook as the baseline. With
``--repeat`` the writer and the baseline run R times each, taking turns, and
the fastest run of each counts. Both print wall and CPU seconds; CPU seconds
suffer less from other processes on a busy machine.

Memory: ``peak RSS`` is the process's ``ru_maxrss`` after each phase, the
peak of the whole process so far. Without ``--no-tracemalloc`` each phase
then runs again under tracemalloc, untimed, for the peak of Python
allocations within that phase.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core import layout  # noqa: E402
from server.core import workbook_style as style  # noqa: E402
from server.core.report import build_report, read_exports  # noqa: E402
from server.core.workbook import (  # noqa: E402
    alternates_values,
    sis_entry,
    write_report,
)

SCHOOLS = [
    ("ORG-ACE", "Alder Creek Elementary"),
    ("ORG-BMS", "Birch Hollow Middle School"),
    ("ORG-CHS", "Cinder Lake High School"),
    ("ORG-DCA", "Dunmore Career Academy"),
]
SCHOOLOGY_HEADERS = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Username",
    "E-mail",
    "User Unique ID",
    "Role",
    "Building or School",
    "Grad Year",
    "Additional Schools",
    "Schoology User ID",
]
ONEROSTER_HEADERS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
FIRST_NAMES = ["Maren", "Tobin", "Ilse", "Corwin", "Wren", "Ansel", "Petra", "Idris"]
LAST_NAMES = ["Quillfeather", "Ashgrove", "Brindle", "Colfax", "Dunmore", "Evers"]
MAPPING_OPTION = "email"


def person(index: int) -> dict:
    """Invent person ``index``: role, SIS key, names and addresses."""
    kind = index % 20
    if kind < 17:
        role, schoology_role, key = "student", "Student", f"{index:08d}"
    elif kind < 19:
        role, schoology_role, key = "teacher", "Teacher", f"T{index:07d}"
    else:
        role, schoology_role, key = "parent", "Parent", f"P{index:07d}"
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = f"{LAST_NAMES[index % len(LAST_NAMES)]}{index}"
    username = f"{first[0].lower()}{last.lower()}"

    return {
        "role": role,
        "schoology_role": schoology_role,
        "key": key,
        "prefix": {"student": "1", "teacher": "2", "parent": "3"}[role],
        "first": first,
        "last": last,
        "username": username,
        "email": f"{username}@cinderlake.example",
        "school": SCHOOLS[index % len(SCHOOLS)],
    }


def presence(index: int) -> str:
    """Place person ``index``: in both systems, only Schoology, or only the SIS."""
    bucket = (index * 7919) % 100
    if bucket < 85:
        return "both"
    if bucket < 95:
        return "schoology"

    return "sis"


def write_district(folder: Path, users: int) -> tuple[Path, Path]:
    """Write the Schoology export and the OneRoster folder of the district."""
    schoology_path = folder / "schoology-users.csv"
    oneroster = folder / "oneroster"
    oneroster.mkdir()
    with (oneroster / "orgs.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["sourcedId", "status", "dateLastModified", "name", "type"])
        for sourced_id, name in SCHOOLS:
            writer.writerow([sourced_id, "active", "", name, "school"])

    with (
        schoology_path.open("w", newline="", encoding="utf-8-sig") as schoology_file,
        (oneroster / "users.csv").open("w", newline="", encoding="utf-8") as sis_file,
    ):
        schoology = csv.writer(schoology_file)
        sis = csv.writer(sis_file)
        schoology.writerow(SCHOOLOGY_HEADERS)
        sis.writerow(ONEROSTER_HEADERS)
        for index in range(users):
            where = presence(index)
            someone = person(index)
            if where in ("both", "sis"):
                sis.writerow(sis_row(someone))
            if where in ("both", "schoology"):
                schoology.writerow(schoology_row(someone, index, where == "both"))

    return schoology_path, oneroster


def sis_row(someone: dict) -> list[str]:
    grade = "07" if someone["role"] == "student" else ""

    return [
        someone["key"],
        "active",
        "2026-08-20T07:15:00.000Z",
        "true",
        someone["school"][0],
        someone["role"],
        someone["username"],
        "",
        someone["first"],
        someone["last"],
        "",
        someone["key"],
        someone["email"],
        "",
        "",
        "",
        grade,
        "",
    ]


def schoology_row(someone: dict, index: int, in_sis: bool) -> list[str]:
    email = someone["email"]
    unique_id = f"{index:09d}"
    if in_sis and index % 25 in (3, 11):
        # 8% of the people in both systems changed their email in Schoology.
        email = f"{someone['username']}.new@cinderlake.example"
    elif in_sis and index % 5 == 0:
        unique_id = f"{someone['prefix']}_{someone['key']}"
    grad_year = "2031" if someone["role"] == "student" else ""

    return [
        someone["first"],
        "",
        someone["last"],
        someone["username"],
        email,
        unique_id,
        someone["schoology_role"],
        someone["school"][1],
        grad_year,
        "",
        str(210000000 + index),
    ]


def write_baseline(target: Path, rows) -> None:
    """Write the report's cells with openpyxl write-only mode and no styling."""
    workbook = Workbook(write_only=True)
    mapping_sheets = []
    sis_users = workbook.create_sheet(layout.SIS_USERS_SHEET)
    alternates = workbook.create_sheet(layout.ALTERNATES_SHEET)
    sis_users.append(list(style.SIS_USERS_HEADERS))
    alternates.append(list(style.ALTERNATES_HEADERS))
    band = [column.band for column in layout.COLUMNS]
    for index, row in enumerate(rows):
        if index % layout.MAX_DATA_ROWS == 0:
            ws = workbook.create_sheet(layout.mapping_sheet_name(len(mapping_sheets)))
            ws.append(band)
            ws.append(list(layout.COLUMN_NAMES))
            mapping_sheets.append(ws)
        mapping_sheets[-1].append(layout.row_values(row))
        if row.sis is not None:
            sis_users.append(sis_entry(row.sis))
        if len(row.suggestions) > 1:
            alternates.append(alternates_values(row))
    workbook.save(target)


def peak_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function):
    """Run ``function`` once and return its result, wall seconds and CPU seconds."""
    gc.collect()
    wall = time.perf_counter()
    cpu = time.process_time()
    result = function()

    return result, time.perf_counter() - wall, time.process_time() - cpu


def traced_peak_mib(function) -> float:
    """Return the peak of Python allocations while ``function`` runs, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    return peak / (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", type=int, default=100_000, help="people in the district"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of the writer and the baseline"
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the second, traced run of each phase",
    )
    parser.add_argument("--keep", type=Path, help="write the files into this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dataprep-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, args)


def run(folder: Path, args) -> None:
    print(
        f"district: {args.users:,} people, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    start = time.perf_counter()
    schoology_path, oneroster = write_district(folder, args.users)
    print(f"invented exports in {time.perf_counter() - start:.1f} s")

    def read():
        return read_exports(schoology_path, [oneroster], "oneroster")

    (schoology, sis), *read_times = timed(read)
    read_rss = peak_rss_mib()

    def build():
        return build_report(schoology, sis, [MAPPING_OPTION], report_id="bench")

    report, *match_times = timed(build)
    match_rss = peak_rss_mib()

    report_path = folder / "report.xlsx"
    baseline_path = folder / "baseline.xlsx"
    write_runs = []
    baseline_runs = []

    def write():
        return write_report(report_path, report.rows, report.meta)

    def baseline():
        return write_baseline(baseline_path, report.rows)

    # The first writer to run in a process measured slower, so both warm up
    # on a slice. Then they take turns in alternating order, so that load
    # from other processes hits both alike, and the fastest run of each counts.
    warm_up_meta = dataclasses.replace(report.meta, counts={})
    write_report(folder / "warm-up.xlsx", report.rows[:2000], warm_up_meta)
    write_baseline(folder / "warm-up-baseline.xlsx", report.rows[:2000])
    for attempt in range(args.repeat):
        if attempt % 2:
            baseline_runs.append(timed(baseline)[1:])
        info, *times = timed(write)
        write_runs.append(times)
        write_rss = peak_rss_mib()
        if not attempt % 2:
            baseline_runs.append(timed(baseline)[1:])
    write_times = [min(run[0] for run in write_runs), min(run[1] for run in write_runs)]
    baseline_times = [
        min(run[0] for run in baseline_runs),
        min(run[1] for run in baseline_runs),
    ]

    totals = [
        r + m + w for r, m, w in zip(read_times, match_times, write_times, strict=True)
    ]
    print(f"users read: {len(schoology.users):,} Schoology, {len(sis.users):,} SIS")
    print(
        f"rows: {info.rows:,} (scenario 1 {report.counts[1]:,}, "
        f"2 {report.counts[2]:,}, 3 {report.counts[3]:,}) on "
        f"{len(info.mapping_sheets)} Mapping sheets: {', '.join(info.mapping_sheets)}"
    )
    print(f"workbook: {report_path.stat().st_size / 2**20:.1f} MiB")
    print(f"{'phase':<10} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
    phases = [
        ("read", read_times, read_rss),
        ("match", match_times, match_rss),
        ("write", write_times, write_rss),
        ("baseline", baseline_times, peak_rss_mib()),
    ]
    for name, (wall, cpu), rss in phases:
        print(f"{name:<10} {wall:>8.2f} {cpu:>8.2f} {rss:>13.0f}")
    print(f"{'total':<10} {totals[0]:>8.2f} {totals[1]:>8.2f}")
    for label, index in (("wall", 0), ("CPU", 1)):
        write_ratio = write_times[index] / baseline_times[index]
        total_ratio = totals[index] / baseline_times[index]
        print(
            f"{label}: write / baseline {write_ratio:.2f}, "
            f"whole report / baseline {total_ratio:.2f}"
        )

    if not args.no_tracemalloc:
        del report
        gc.collect()
        print("tracemalloc peak of Python allocations per phase (untimed runs):")
        exports = {}

        def read_again():
            exports["both"] = read()

        print(f"  read  {traced_peak_mib(read_again):8.0f} MiB")
        schoology, sis = exports.pop("both")
        built = {}

        def build_again():
            built["report"] = build_report(schoology, sis, [MAPPING_OPTION])

        print(f"  match {traced_peak_mib(build_again):8.0f} MiB")
        report = built.pop("report")

        def write_again():
            write_report(folder / "traced.xlsx", report.rows, report.meta)

        print(f"  write {traced_peak_mib(write_again):8.0f} MiB")


if __name__ == "__main__":
    main()
