import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from server.cli import main
from server.core import layout

COUNTS_OUTPUT = (
    "Scenario 1 (in both systems and matched): 38\n"
    "Scenario 2 (only in Schoology, or not matched): 8\n"
    "Scenario 3 (only in the SIS): 9\n"
    "Scenario 1 by mapping option: linked 1, unique-id 21, email 16, name 0\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def report_args(examples_dir, output, *extra, match="unique-id,email,name"):
    return [
        "report",
        "--schoology",
        str(examples_dir / "schoology" / "users.csv"),
        "--sis",
        str(examples_dir / "oneroster"),
        "--match",
        match,
        "--output",
        str(output),
        *extra,
    ]


def test_report_prints_counts(runner, examples_dir, tmp_path):
    output = tmp_path / "report.xlsx"

    result = runner.invoke(main, report_args(examples_dir, output))

    assert result.exit_code == 0
    assert result.stdout.startswith(COUNTS_OUTPUT)
    assert f"written to {output}\n" in result.stdout
    assert "Warnings (2):\n" in result.stdout
    assert "share a matching value" in result.stdout
    assert result.stderr == ""
    assert output.is_file()


def test_report_writes_xlsx(runner, examples_dir, tmp_path):
    output = tmp_path / "report.xlsx"

    runner.invoke(main, report_args(examples_dir, output))
    sheet = openpyxl.load_workbook(output)[layout.MAPPING_SHEET]
    scenarios = [
        row[layout.SCENARIO]
        for row in sheet.iter_rows(min_row=layout.HEADER_ROWS + 1, values_only=True)
    ]

    assert scenarios == [1] * 38 + [2] * 8 + [3] * 9


def test_report_writes_csv(runner, examples_dir, tmp_path):
    output = tmp_path / "report.csv"

    result = runner.invoke(main, report_args(examples_dir, output))
    with open(output, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    numbers = {row["SIS Local ID"]: row["SIS Number"] for row in rows}

    assert result.exit_code == 0
    assert len(rows) == 55
    assert numbers["1_004512"] == "004512"
    assert numbers["1_20250000000178342"] == "20250000000178342"


def test_report_progress_on_stderr(runner, examples_dir, tmp_path):
    output = tmp_path / "report.csv"

    result = runner.invoke(main, report_args(examples_dir, output, "--progress"))

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Read 46 Schoology users",
        "Read 47 SIS users from 2 files",
        "Matching on unique-id, email, name",
        "Matched: scenario 1 38, scenario 2 8, scenario 3 9",
        "Wrote 55 of 55 rows",
    ]


def test_report_powerschool_files(runner, examples_dir, tmp_path):
    output = tmp_path / "report.csv"
    args = [
        "report",
        "--schoology",
        str(examples_dir / "schoology" / "users.csv"),
        "--sis",
        str(examples_dir / "powerschool" / "students.csv"),
        "--sis",
        str(examples_dir / "powerschool" / "staff.csv"),
        "--sis-format",
        "powerschool",
        "--match",
        "email",
        "--output",
        str(output),
    ]

    result = runner.invoke(main, args)

    assert result.exit_code == 0
    assert "Scenario 1 (in both systems and matched): " in result.stdout
    assert output.is_file()


@pytest.mark.parametrize(
    ("match", "message"),
    [
        ("phone", "Error: 'phone' is not a valid mapping option."),
        ("email,email", "Error: The mapping option 'email' is listed twice"),
        ("email,,name", "Error: The mapping options 'email,,name' contain an empty"),
    ],
)
def test_report_bad_option(runner, examples_dir, tmp_path, match, message):
    output = tmp_path / "report.xlsx"

    result = runner.invoke(main, report_args(examples_dir, output, match=match))

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.splitlines()) == 1
    assert not output.exists()


def test_report_bad_output_suffix(runner, examples_dir, tmp_path):
    output = tmp_path / "report.txt"

    result = runner.invoke(main, report_args(examples_dir, output))

    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {output}: the output file has the suffix '.txt'. Give a file"
        " name ending in .xlsx for an Excel workbook or .csv for a CSV file.\n"
    )


@pytest.mark.parametrize("side", ["--schoology", "--sis"])
def test_report_missing_file(runner, examples_dir, tmp_path, side):
    missing = tmp_path / "missing.csv"
    args = report_args(examples_dir, tmp_path / "report.xlsx")
    args[args.index(side) + 1] = str(missing)

    result = runner.invoke(main, args)

    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {missing}: ")
    assert "not found" in result.stderr


def test_report_missing_column(runner, examples_dir, tmp_path):
    schoology = tmp_path / "users.csv"
    schoology.write_text(
        "Schoology User ID,First Name,Last Name,Role\n101,Ann,Lee,Teacher\n",
        encoding="utf-8",
    )
    args = report_args(examples_dir, tmp_path / "report.xlsx")
    args[args.index("--schoology") + 1] = str(schoology)

    result = runner.invoke(main, args)

    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        "Error: users.csv: the required column 'User Unique ID'"
    )
    assert not (tmp_path / "report.xlsx").exists()


def test_report_option_column_missing(runner, examples_dir, tmp_path):
    # The export lacks the E-mail column, so matching on email matches no user.
    source = examples_dir / "schoology" / "users.csv"
    with source.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    email = rows[0].index("E-mail")
    schoology = tmp_path / "users.csv"
    with schoology.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(row[:email] + row[email + 1 :] for row in rows)
    args = report_args(examples_dir, tmp_path / "report.xlsx")
    args[args.index("--schoology") + 1] = str(schoology)
    args[args.index("--match") + 1] = "email"

    result = runner.invoke(main, args)

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: users.csv: no user has an email, so the mapping option 'email' "
        "cannot match anyone. Export the users again with that column filled "
        "in, or choose other mapping options.\n"
    )
    assert not (tmp_path / "report.xlsx").exists()


def test_report_subprocess_on_examples(examples_dir, tmp_path):
    output = tmp_path / "report.xlsx"
    # The console script that pip installs next to the interpreter.
    command = [str(Path(sys.executable).with_name("dataprep"))]

    done = subprocess.run(
        [*command, *report_args(examples_dir, output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    failed = subprocess.run(
        [*command, *report_args(examples_dir, output, match="phone")],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0
    assert done.stdout.startswith(COUNTS_OUTPUT)
    assert done.stderr == ""
    assert output.is_file()
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("Error: 'phone' is not a valid mapping option.")
    assert len(failed.stderr.splitlines()) == 1


def write_large_district(folder: Path, people: int) -> tuple[Path, Path]:
    """Write a Schoology export and a OneRoster 1.1 users.csv of ``people``."""
    schoology = folder / "schoology.csv"
    sis = folder / "users.csv"
    with schoology.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["Schoology User ID", "User Unique ID", "First Name", "Last Name"]
            + ["Role", "E-mail"]
        )
        for i in range(people):
            email = f"ava.moreno{i}@students.example.org"
            writer.writerow(
                [f"3{i:08d}", f"{i:06d}", "Ava", f"Moreno{i}"]
                + [
                    "Student",
                    email,
                ]
            )
    with sis.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["sourcedId", "role", "givenName", "familyName", "identifier", "email"]
        )
        for i in range(people):
            email = f"ava.moreno{i}@students.example.org"
            writer.writerow([f"S{i:06d}", "student", "Ava", f"Moreno{i}", i, email])

    return schoology, sis


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_report_stopped_leaves_no_files(tmp_path, signal_number):
    schoology, sis = write_large_district(tmp_path, 60_000)
    output = tmp_path / "out" / "report.xlsx"
    output.parent.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    command = [str(Path(sys.executable).with_name("dataprep")), "report"]
    command += ["--schoology", str(schoology), "--sis", str(sis), "--match", "email"]
    command += ["--output", str(output), "--progress"]

    with subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    ) as process:
        # Wait until the writer has streamed rows to its temporary files.
        for line in process.stderr:
            if line.startswith("Wrote "):
                break
        process.send_signal(signal_number)
        stderr = process.stderr.read()
        process.wait(timeout=60)

    assert process.returncode == 128 + signal_number
    assert stderr.splitlines()[-1] == "Stopped; no report was written."
    assert "Aborted!" not in stderr
    assert "Traceback" not in stderr
    assert list(output.parent.iterdir()) == []
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("name", ["report.xlsx", "report.csv"])
def test_report_missing_output_folder(runner, examples_dir, tmp_path, name):
    output = tmp_path / "missing" / name

    result = runner.invoke(main, report_args(examples_dir, output, "--progress"))

    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {output}: the folder {output.parent} does not exist. Create it"
        " first, or choose an output file in a folder that exists.\n"
    )


def copy_examples(examples_dir, tmp_path):
    """Copy the example exports, so that a test may try to overwrite them."""
    schoology = tmp_path / "schoology.csv"
    schoology.write_bytes((examples_dir / "schoology" / "users.csv").read_bytes())
    sis = tmp_path / "oneroster"
    sis.mkdir()
    for path in (examples_dir / "oneroster").iterdir():
        (sis / path.name).write_bytes(path.read_bytes())

    return schoology, sis


@pytest.mark.parametrize(
    ("target", "option"),
    [
        ("schoology.csv", "--schoology"),
        ("oneroster/users.csv", "--sis"),
        ("oneroster/../schoology.csv", "--schoology"),
        ("link.csv", "--schoology"),
    ],
)
def test_report_output_is_input(runner, examples_dir, tmp_path, target, option):
    schoology, sis = copy_examples(examples_dir, tmp_path)
    (tmp_path / "link.csv").symlink_to(schoology)
    before = {path: path.read_bytes() for path in [schoology, *sis.iterdir()]}
    output = tmp_path / target
    args = report_args(examples_dir, output)
    args[args.index("--schoology") + 1] = str(schoology)
    args[args.index("--sis") + 1] = str(sis)

    result = runner.invoke(main, args)

    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {output}: the output file is ")
    assert f"given with {option}" in result.stderr
    assert "Choose another output file" in result.stderr
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.parametrize("name", ["reports", "reports.xlsx"])
def test_report_output_is_folder(runner, examples_dir, tmp_path, name):
    output = tmp_path / name
    output.mkdir()

    result = runner.invoke(main, report_args(examples_dir, output))

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {output} is a folder. Give the name")
    assert len(result.stderr.splitlines()) == 1


def test_report_generic_csv_with_column_map(runner, examples_dir, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text(
        "Person ID,Given,Family,Mail,Kind\n"
        "T1042,Daniel,Reyes,daniel.reyes@example.org,Teacher\n",
        encoding="utf-8",
    )
    output = tmp_path / "report.csv"
    args = report_args(examples_dir, output, match="email")
    args[args.index("--sis") + 1] = str(people)
    args += ["--sis-format", "csv", "--key-column", "Person ID", "--column-map"]
    args += ["first_name=Given,last_name=Family,email=Mail,role=Kind"]

    result = runner.invoke(main, args)
    with open(output, encoding="utf-8-sig", newline="") as handle:
        matched = [row for row in csv.DictReader(handle) if row["Scenario"] == "1"]

    assert result.exit_code == 0
    assert [row["SIS Local ID"] for row in matched] == ["2_T1042"]
    assert matched[0]["Schoology User ID"] == "104857401"


def test_report_bad_column_map(runner, examples_dir, tmp_path):
    output = tmp_path / "report.csv"
    args = report_args(examples_dir, output, "--column-map", "email")

    result = runner.invoke(main, args)

    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Column map item 'email' is invalid")
    assert len(result.stderr.splitlines()) == 1
    assert not output.exists()
