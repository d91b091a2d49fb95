"""Time and measure validating and planning the update of a large edited report.

Usage: ``.venv/bin/python benchmarks/validate.py [--users N]`` (default 100000).

The script builds a synthetic district: 85% of users in both systems, 10% only
in Schoology, 5% only in the SIS, with IDs with leading zeros. It types an
Integration-Mapping ID on half of the scenario 2 rows and writes the report
with the real writer. Then it measures each phase:

- baseline: python-calamine reading the file's bytes and its Mapping sheet
  into Python lists, as ``read_report`` calls it;
- read: ``readback.read_report``;
- validate: ``read_report`` and ``validate``;
- plan: ``plan_update`` on that result.

Then, unless ``--no-apply``, a child process runs the database steps of
``benchmarks/service.py`` on a new SQLite file with a district of the same
size: import both sides, generate the report, then validate, preview, apply
(Update Users in one transaction) and undo it through the service functions
that the API calls, each with its seconds and the peak RSS so far.

The phases are timed in one child process, in ``--repeat`` rounds (default 3),
and the fastest run of each counts, in wall time and in the process's CPU time
(which load from other programs disturbs less). Memory is measured in one more child
process per phase, and given twice: the peak of Python allocations during the
phase (tracemalloc), and the child's peak resident size (ru_maxrss), which
also counts calamine's Rust allocations and the stored report's rows. The
target is validation (read and validate) in at most twice the baseline time.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from python_calamine import CalamineWorkbook  # noqa: E402

from server.core import layout  # noqa: E402
from server.core.model import Role, SchoologyUser, SisUser  # noqa: E402
from server.core.readback import read_report  # noqa: E402
from server.core.update import plan_update  # noqa: E402
from server.core.validate import (  # noqa: E402
    SchoologyAccount,
    SisPerson,
    StoredReport,
    ValidationContext,
    validate,
)
from server.core.workbook import ReportMeta, write_report  # noqa: E402

REPORT_ID = "bench-validate"
ROLE_NAMES = {Role.STUDENT: "Student", Role.STAFF: "Teacher", Role.PARENT: "Parent"}
FIRST_NAMES = ["Ana", "Omar", "Rosa", "Ian", "Dana", "Eli", "Mia", "Noah", "Lena"]
LAST_NAMES = ["Diaz", "Lee", "Moss", "Reyes", "Park", "Shah", "Novak", "Okafor"]


def district(users: int, seed: int = 7):
    """Build the report rows with their typed IDs, and both sides' current state.

    Returns ``(rows, typed, schoology, sis)`` where ``typed`` maps a row index
    to the Integration-Mapping ID a user typed on that scenario 2 row.
    """
    rng = random.Random(seed)
    rows: list[layout.ReportRow] = []
    typed: dict[int, str] = {}
    orphans: list[SisUser] = []
    schoology: dict[str, SchoologyAccount] = {}
    sis: dict[str, SisPerson] = {}
    for n in range(users):
        role = rng.choices(list(ROLE_NAMES), weights=(70, 10, 20))[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        key = f"{n:08d}"
        local_id = f"{role.prefix}_{key}"
        kind = rng.random()
        school_user = SchoologyUser(
            n + 2,
            str(4_000_000_000 + n),
            local_id if kind < 0.01 else "",
            first,
            "",
            last,
            f"{first}.{last}{n}".lower(),
            f"{first}.{last}{n}@example.org".lower(),
            role,
            ROLE_NAMES[role],
            "North High",
        )
        sis_user = SisUser(
            n + 2,
            "users.csv",
            local_id,
            key,
            key,
            first,
            "",
            last,
            school_user.username,
            school_user.email,
            role,
            ROLE_NAMES[role].lower(),
            "North High",
        )
        if kind < 0.85:
            rows.append(layout.ReportRow(1, school_user, sis_user, local_id))
            schoology[school_user.schoology_id] = SchoologyAccount(
                role, school_user.unique_id
            )
            sis[local_id] = SisPerson(role, f"{first} {last}")
        elif kind < 0.95:
            rows.append(layout.ReportRow(2, school_user))
            schoology[school_user.schoology_id] = SchoologyAccount(role, "")
        else:
            rows.append(layout.ReportRow(3, sis=sis_user))
            orphans.append(sis_user)
            sis[local_id] = SisPerson(role, f"{first} {last}")

    # Half of the scenario 2 rows get the ID of an unmatched SIS user of the
    # same role, as staff would type them.
    by_role = {role: [u for u in orphans if u.role is role] for role in ROLE_NAMES}
    for index, row in enumerate(rows):
        if row.scenario == 2 and rng.random() < 0.5 and by_role[row.schoology.role]:
            typed[index] = by_role[row.schoology.role].pop().local_id

    return rows, typed, schoology, sis


def build_context(users: int, digest: str) -> ValidationContext:
    rows, _typed, schoology, sis = district(users)
    values = [layout.row_values(row) for row in rows]
    stored = StoredReport(REPORT_ID, digest, {layout.row_key(v): v for v in values})

    return ValidationContext(stored, sis, schoology)


def write_upload(path: Path, users: int) -> str:
    """Write the edited report and return its digest as the writer stored it."""
    rows, typed, _schoology, _sis = district(users)
    for index, local_id in typed.items():
        rows[index].mapping_id = local_id

    meta = ReportMeta(REPORT_ID, "2026-12-04T09:00:00Z", ["email"])

    return write_report(path, rows, meta).digest


def run_once(phase: str, path: str, context, uploaded, result):
    """Run one phase and return its result."""
    if phase == "baseline":
        data = Path(path).read_bytes()
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            for sheet in workbook.sheet_names:
                if sheet.startswith(layout.MAPPING_SHEET):
                    workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return None

    if phase == "read":
        return read_report(path)

    if phase == "validate":
        return validate(read_report(path), context)

    return plan_update(uploaded, result, context)


PHASES = ("baseline", "read", "validate", "plan")


def time_phases(path: str, users: int, digest: str, repeat: int, queue) -> None:
    """Time every phase in rounds, in one child process, and put the fastest.

    Alternating the phases round by round spreads the load of other programs
    over all of them alike, so the ratios stay meaningful on a busy machine.
    """
    context = build_context(users, digest)
    uploaded = read_report(path)
    result = validate(uploaded, context)
    wall = {phase: [] for phase in PHASES}
    cpu = {phase: [] for phase in PHASES}
    for _ in range(repeat):
        for phase in PHASES:
            started, started_cpu = time.perf_counter(), time.process_time()
            run_once(phase, path, context, uploaded, result)
            wall[phase].append(time.perf_counter() - started)
            cpu[phase].append(time.process_time() - started_cpu)

    queue.put(
        {phase: (min(wall[phase]), min(cpu[phase])) for phase in PHASES},
    )


def measure_memory(phase: str, path: str, users: int, digest: str, queue) -> None:
    """Run one phase under tracemalloc in this child process and put its figures.

    tracemalloc slows every Python allocation, so these runs are not timed.
    """
    context = build_context(users, digest) if phase in ("validate", "plan") else None
    uploaded = result = None
    if phase == "plan":
        uploaded = read_report(path)
        result = validate(uploaded, context)

    tracemalloc.start()
    answer = run_once(phase, path, context, uploaded, result)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    totals = answer.totals if phase in ("validate", "plan") else None
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((peak / 2**20, rss_mib, totals))


def in_child(target, *args):
    """Run ``target(*args, queue)`` in a fresh process and return what it puts."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    answer = queue.get()
    child.join()

    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000, help="district size")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed rounds; the fastest run counts"
    )
    parser.add_argument(
        "--no-apply", action="store_true", help="skip applying through the database"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edited-report.xlsx"
        started = time.perf_counter()
        digest = write_upload(path, args.users)
        print(
            f"wrote {args.users:,} users in {time.perf_counter() - started:.2f} s "
            f"({path.stat().st_size / 2**20:.1f} MiB)"
        )

        times = in_child(time_phases, str(path), args.users, digest, args.repeat)
        for phase in PHASES:
            peak, rss, totals = in_child(
                measure_memory, phase, str(path), args.users, digest
            )
            wall, cpu = times[phase]
            print(
                f"{phase:9} {wall:6.2f} s wall {cpu:6.2f} s CPU  tracemalloc peak "
                f"{peak:6.1f} MiB  ru_maxrss {rss:6.1f} MiB  {totals or ''}"
            )

        for phase in ("read", "validate"):
            ratios = [times[phase][i] / times["baseline"][i] for i in (0, 1)]
            print(
                f"{phase} / baseline: {ratios[0]:.2f} wall, {ratios[1]:.2f} CPU "
                "(target for validate: 2)"
            )

    if not args.no_apply:
        print("\nthrough the service on a new SQLite database:")
        in_child(apply_in_database, args.users)


def apply_in_database(users: int, queue) -> None:
    """Run the service benchmark's steps, validate and apply among them."""
    from service import database_url, run

    with tempfile.TemporaryDirectory(prefix="dataprep-bench-") as scratch:
        folder = Path(scratch)
        url, drop = database_url("", folder)
        try:
            run(folder, url, users)
        finally:
            drop()
    queue.put(None)


if __name__ == "__main__":
    main()
