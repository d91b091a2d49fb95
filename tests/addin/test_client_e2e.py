"""The add-in's JavaScript client against a live server on 127.0.0.1.

``addin/test/drive.js`` runs Validate or Submit from ``addin/workflow.js`` with
Node's own fetch, on a FakeWorkbook that holds a real report's values. The
server is the app from the ``app`` fixture, served by werkzeug in a thread.
"""

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from server.addin.verdicts import MARK_COLOR
from server.core import layout
from tests.addin.conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    edit_report,
    payload_from_workbook,
)
from tests.addin.test_commands import (
    ACCEPTED_AT_90,
    MISTAKES,
    changed_ids,
    expected_changes,
    unique_ids,
)

ADDIN = Path(__file__).resolve().parents[2] / "addin"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@pytest.fixture(scope="module")
def node_modules():
    """Install the add-in's test dependencies when scripts/test has not yet."""
    if not (ADDIN / "node_modules" / "office-addin-mock").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ADDIN,
            check=True,
            timeout=300,
        )


def drive(live_url, headers, command, data, answers=(), min_score=90):
    """Run one command, or a list of them in order, on one workbook in Node."""
    commands = [command] if isinstance(command, str) else list(command)
    job = {
        "origin": live_url,
        "token": headers["Authorization"].removeprefix("Bearer "),
        "commands": commands,
        "minScore": min_score,
        "answers": list(answers),
        "workbook": payload_from_workbook(data),
    }
    completed = subprocess.run(
        [NODE, str(ADDIN / "test" / "drive.js")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr

    return json.loads(completed.stdout)


def status_of(outcome, schoology_id: str) -> str:
    for row in outcome["sheets"][layout.MAPPING_SHEET]["cells"][layout.HEADER_ROWS :]:
        if str(row[layout.SCHOOLOGY_ID]) == schoology_id:
            return row[layout.STATUS]

    raise AssertionError(f"Schoology user {schoology_id} is not in the workbook.")


def test_js_validate_writes_statuses(
    node_modules, live_url, viewer_headers, report_bytes
):
    outcome = drive(
        live_url, viewer_headers, "validate", edit_report(report_bytes, MISTAKES)
    )
    mapping = outcome["sheets"][layout.MAPPING_SHEET]
    marks = [key for key, color in mapping["fills"] if color == MARK_COLOR]

    assert outcome["result"]["counts"]["error"] == 2
    assert status_of(outcome, STUDENT_ROW[0]).startswith("Error: ")
    assert status_of(outcome, TEACHER_ROW[0]).startswith("Error: ")
    assert len(marks) == 2
    assert mapping["protected"] is True
    assert "2 with errors" in outcome["shown"][0]["prompt"]


@pytest.mark.database
def test_js_submit_runs_update_users(
    app, node_modules, live_url, admin_headers, report_bytes
):
    data = edit_report(report_bytes, dict([STUDENT_ROW, TEACHER_ROW]))
    outcome = drive(live_url, admin_headers, "submit", data, answers=["ok", "ok"])

    assert outcome["result"]["applied"] is True
    assert outcome["shown"][0]["callback"] == "confirmSubmit"
    assert "Updated in batch" in status_of(outcome, STUDENT_ROW[0])
    assert unique_ids(app)[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert outcome["sheets"][layout.MAPPING_SHEET]["protected"] is True


@pytest.mark.database
def test_js_accept_then_submit(
    app, node_modules, live_url, admin_headers, report_bytes
):
    before = unique_ids(app)
    outcome = drive(
        live_url,
        admin_headers,
        ["accept", "submit"],
        report_bytes,
        answers=["ok", "ok"],
        min_score=90,
    )
    accepted, submitted = outcome["results"]
    after = unique_ids(app)
    expected = expected_changes(report_bytes, before)
    batch = submitted["result"]["batch"]

    assert accepted["accepted"] == len(ACCEPTED_AT_90)
    assert submitted["applied"] is True
    assert batch["change_count"] == len(expected)
    assert changed_ids(before, after) == expected
    for schoology_id, local_id in ACCEPTED_AT_90.items():
        assert after[schoology_id] == local_id
        assert status_of(outcome, schoology_id).startswith(
            f"Updated in batch {batch['id']}"
        )
        assert status_of(outcome, schoology_id).endswith(f"-> {local_id}.")
    assert status_of(outcome, "104857404") == "OK"
    assert after["104857404"] == before["104857404"]
    assert outcome["sheets"][layout.MAPPING_SHEET]["protected"] is True


def test_js_submit_cancel_changes_nothing(
    app, node_modules, live_url, admin_headers, report_bytes
):
    before = unique_ids(app)
    data = edit_report(report_bytes, dict([STUDENT_ROW]))
    outcome = drive(live_url, admin_headers, "submit", data, answers=["cancel"])

    assert outcome["result"]["applied"] is False
    assert unique_ids(app) == before


def test_js_viewer_submit_shows_error(
    node_modules, live_url, viewer_headers, report_bytes
):
    data = edit_report(report_bytes, dict([STUDENT_ROW]))
    outcome = drive(live_url, viewer_headers, "submit", data)

    assert outcome["result"] is None
    assert outcome["shown"][0]["mode"] == "critical"
    assert "admin" in outcome["shown"][0]["prompt"]
    assert status_of(outcome, STUDENT_ROW[0]) == ""


def test_js_unreachable_server_shows_error(node_modules, viewer_headers, report_bytes):
    # A port that was free a moment ago has no server behind it.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"
    outcome = drive(origin, viewer_headers, "validate", report_bytes)

    assert outcome["result"] is None
    assert f"{origin} cannot be reached" in outcome["shown"][0]["prompt"]
