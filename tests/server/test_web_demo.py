"""``dataprep demo``: a fresh instance with the examples, and the real server."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from server import close_app
from server.commands.demo import check_instance_folder, prepare_demo, serve
from server.core.errors import DataPrepError

from .conftest import STUDENT_ROW, edit_report

URL_LINE = re.compile(r"SIS Data Prep demo: (http://127\.0\.0\.1:\d+/)")
CREDENTIALS_LINE = re.compile(r"Sign in as '(\S+)' with the password '(\S+)'\.")
REPORT_LINE = re.compile(
    r"Report ([0-9a-f]{32}) of the example district \(mapping options email, "
    r"name\): (\S+\.xlsx)$"
)
LOGS_LINE = re.compile(r"It is also on the Logs page \((http://\S+/logs/)\)\.")
TOKEN_LINE = re.compile(r"API token of 'admin': (\S+) ")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_demo_rejects_non_empty_folder(tmp_path):
    (tmp_path / "dataprep.sqlite").write_bytes(b"old")

    with pytest.raises(DataPrepError, match="is not empty"):
        check_instance_folder(tmp_path)


def test_demo_rejects_file_as_folder(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")

    with pytest.raises(DataPrepError, match="is a file"):
        check_instance_folder(path)


def test_demo_needs_examples(tmp_path):
    with pytest.raises(DataPrepError, match="is missing"):
        prepare_demo(tmp_path / "instance", examples=tmp_path / "nothing")


def test_prepare_demo_imports_examples(tmp_path, examples_dir, monkeypatch):
    # The demo must ignore a DATABASE_URL from the environment.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    demo = prepare_demo(tmp_path / "instance", examples_dir)
    client = demo.app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/login",
        data={
            "username": demo.username,
            "password": demo.password,
            "csrf_token": token,
        },
    )
    index = client.get("/").get_data(as_text=True)
    logs = client.get("/logs/").get_data(as_text=True)
    close_app(demo.app)

    assert demo.schoology_users == 46
    assert demo.sis_users == 47
    assert (tmp_path / "instance" / "dataprep.sqlite").is_file()
    assert signed_in.status_code == 302
    assert "Import Schoology users" in index
    assert len(demo.password) >= 12
    assert demo.report_path.is_file()
    assert demo.report_path.suffix == ".xlsx"
    assert demo.report_path.is_relative_to(tmp_path / "instance")
    assert demo.report_id in logs


def post_workbook(url: str, token: str, name: str, data: bytes) -> dict:
    """Post a workbook as multipart/form-data with a token and return the JSON."""
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {XLSX_TYPE}\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def read_line(process, pattern, deadline):
    """Read the process's output until a line matches; return the match."""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = pattern.search(line)
        if match:
            return match

    return None


def test_demo_command_serves_and_stops(tmp_path):
    instance = tmp_path / "demo"
    command = [
        sys.executable,
        "-c",
        "from server.cli import main; main()",
        "demo",
        "--instance",
        str(instance),
    ]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    environment.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 60
        url = read_line(process, URL_LINE, deadline)
        credentials = read_line(process, CREDENTIALS_LINE, deadline)
        report = read_line(process, REPORT_LINE, deadline)
        logs = read_line(process, LOGS_LINE, deadline)
        token = read_line(process, TOKEN_LINE, deadline)
        assert url, "the demo printed no URL"
        assert credentials, "the demo printed no credentials"
        assert report, "the demo printed no report"
        assert logs, "the demo did not point to the Logs page"
        assert token, "the demo printed no API token"
        report_path = Path(report.group(2))
        edited = edit_report(report_path.read_bytes(), dict([STUDENT_ROW]))
        validated = post_workbook(
            url.group(1) + "api/validate", token.group(1), "edited.xlsx", edited
        )
        with urllib.request.urlopen(url.group(1) + "login", timeout=10) as response:
            page = response.read().decode()
        request = urllib.request.Request(
            url.group(1) + "api/me",
            headers={"Authorization": f"Bearer {token.group(1)}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            me = json.loads(response.read())
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    assert credentials.group(1) == "admin"
    assert report_path.is_relative_to(instance.resolve())
    assert logs.group(1) == url.group(1) + "logs/"
    assert validated["report_id"] == report.group(1)
    assert validated["has_errors"] is False
    assert validated["totals"]["error"] == 0
    assert 'id="username"' in page
    assert me["username"] == "admin"
    assert me["role"] == "admin"
    assert process.returncode == 0
    assert "Stopped the demo." in output


def test_demo_port_in_use(tmp_path, examples_dir):
    demo = prepare_demo(tmp_path / "instance", examples_dir)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(DataPrepError, match=f"Port {port} on 127.0.0.1 cannot"):
            serve(demo, port)
