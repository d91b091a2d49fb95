"""The Data Prep page: sources, mapping options, Generate Report and downloads."""

import io
import re

import openpyxl
import pytest

from server import jobs
from server.db import get_session
from server.models import RUNNING, Job

from .web_helpers import (
    download_report,
    fetch,
    file_field,
    generate_report,
    import_examples,
    post,
    sign_in,
)

pytestmark = pytest.mark.database


@pytest.fixture
def admin(app, client):
    return sign_in(app, client)


def test_index_lists_options_in_order(admin):
    page = admin.get("/").get_data(as_text=True)
    first_select = page[page.index('id="match-0"') :]
    first_select = first_select[: first_select.index("</select>")]
    options = re.findall(r'<option value="([^"]*)"', first_select)

    assert options == ["unique-id", "email", "username", "name"]
    assert page.count('name="match"') == 4
    assert "Import both sides first." in page


def test_import_shows_snapshots(admin, examples_dir):
    import_examples(admin, examples_dir)
    page = admin.get("/").get_data(as_text=True)

    assert "Imported 47 SIS users from 2 files." in page
    assert '<td>users.csv</td><td>schoology</td><td class="number">46</td>' in page
    assert "<td>orgs.csv</td>" in page
    assert "Import both sides first." not in page


def test_schoology_import_error_under_input(admin):
    response = post(
        admin,
        "/sources/schoology",
        {"files": (io.BytesIO(b"PK\x03\x04 not text"), "users.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 415
    assert '<p class="field-error" id="schoology-error">' in page
    assert "users.csv is a binary file, not CSV text" in page
    assert 'aria-describedby="schoology-error"' in page


@pytest.mark.parametrize(
    ("files", "sis_format", "status", "message"),
    [
        ([], "", 400, "Choose the SIS export files (.csv) to import."),
        ([(b"a,b\n1,2\n", "users.csv")], "banner", 400, "SIS format &#39;banner&#39;"),
        ([(b"", "users.csv")], "oneroster", 415, "users.csv is empty"),
        ([(b"\x00\x01\x02", "users.csv")], "", 415, "is a binary file"),
        ([(b"x", "users.pdf")], "", 415, "has the suffix &#39;.pdf&#39;"),
    ],
)
def test_sis_import_rejects_bad_files(admin, files, sis_format, status, message):
    form = {
        "files": [(io.BytesIO(data), name) for data, name in files],
        "sis_format": sis_format,
    }
    response = post(admin, "/sources/sis", form, content_type="multipart/form-data")
    page = response.get_data(as_text=True)

    assert response.status_code == status
    assert 'id="sis-error"' in page
    assert message in page


def test_sis_import_reader_error_names_file(admin):
    data = b"sourcedId,status\nS1,active\n"
    form = {"files": [(io.BytesIO(data), "users.csv")], "sis_format": "oneroster"}
    response = post(admin, "/sources/sis", form, content_type="multipart/form-data")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'id="sis-error"' in page
    assert "users.csv" in page[page.index('id="sis-error"') :]


def test_generate_needs_both_sides(admin):
    response = post(admin, "/generate", {"match": ["email"]})
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert 'id="generate-error"' in page
    assert "No Schoology data was imported yet" in page


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (["phone"], "phone"),
        (["", "", ""], "mapping option"),
        (["email", "email"], "email"),
    ],
)
def test_generate_rejects_bad_options(admin, examples_dir, chosen, message):
    import_examples(admin, examples_dir)
    response = post(admin, "/generate", {"match": chosen})
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert 'id="match-error"' in page
    assert message in page[page.index('id="match-error"') :]


def test_generate_report_and_download(app, admin, examples_dir):
    import_examples(admin, examples_dir)
    job_id, report_id = generate_report(app, admin, ("email", "name"))
    status = admin.get(f"/jobs/{job_id}/status").get_json()
    page = admin.get(f"/jobs/{job_id}").get_data(as_text=True)
    workbook = openpyxl.load_workbook(io.BytesIO(download_report(admin, report_id)))
    csv_response = fetch(admin, f"/reports/{report_id}/report.csv")

    assert status["finished"] is True
    assert status["status"] == "finished"
    assert status["progress"] == 1.0
    assert "<strong>38</strong>scenario 1, matched" in page
    assert "<strong>8</strong>scenario 2, Schoology only" in page
    assert "<strong>9</strong>scenario 3, SIS only" in page
    assert "Mapping" in workbook.sheetnames
    assert workbook["Mapping"]["A2"].value == "Schoology User ID"
    assert csv_response.status_code == 200
    assert csv_response.mimetype == "text/csv"
    assert "Schoology User ID" in csv_response.get_data(as_text=True)


def test_failed_job_page_shows_error(app, admin, examples_dir):
    import_examples(admin, examples_dir)
    with app.app_context():
        # No snapshot ids in the parameters, so the job function fails.
        job = jobs.submit("report", {"options": ["email"]}, None)
        job_id = job.id
        jobs.wait(job_id, timeout=60)

    page = admin.get(f"/jobs/{job_id}").get_data(as_text=True)

    assert "The report failed:" in page
    assert "job.js" not in page


def test_running_job_page_polls_status(app, admin):
    with app.app_context():
        session = get_session()
        session.add(
            Job(
                id="a" * 32,
                kind="report",
                status=RUNNING,
                progress=0.4,
                message="Writing the workbook",
                params={"options": ["email", "name"]},
            )
        )
        session.commit()

    page = admin.get("/jobs/" + "a" * 32).get_data(as_text=True)
    status = admin.get("/jobs/" + "a" * 32 + "/status").get_json()

    assert f'data-job-status-url="/jobs/{"a" * 32}/status"' in page
    assert '<progress id="job-progress" max="1" value="0.4">' in page
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "job.js" in page
    assert "email, name" in page
    assert status["finished"] is False
    assert status["progress"] == 0.4
    assert status["message"] == "Writing the workbook"


def test_job_page_unknown_job(admin):
    response = admin.get("/jobs/" + "0" * 32)

    assert response.status_code == 404
    assert "not found" in response.get_data(as_text=True)


def test_download_unknown_kind(app, admin, examples_dir):
    import_examples(admin, examples_dir)
    _job_id, report_id = generate_report(app, admin, ("email",))
    response = admin.get(f"/reports/{report_id}/report.pdf")

    assert response.status_code == 400
    assert "Format &#39;pdf&#39; is invalid" in response.get_data(as_text=True)


def test_viewer_cannot_import(app, client, examples_dir):
    sign_in(app, client, "vera.viewer", "viewer")
    page = client.get("/").get_data(as_text=True)
    response = post(
        client,
        "/sources/schoology",
        {"files": file_field(examples_dir / "schoology" / "users.csv")},
        content_type="multipart/form-data",
    )

    assert "Import Schoology users" not in page
    assert response.status_code == 403


def test_template_download(app, admin, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "oneroster-users.xlsx").write_bytes(b"PK\x03\x04 workbook")
    (folder / "notes.txt").write_text("not a template")
    app.config["DATAPREP_TEMPLATES_DIR"] = str(folder)
    page = admin.get("/").get_data(as_text=True)
    response = fetch(admin, "/templates/oneroster-users.xlsx")
    missing = fetch(admin, "/templates/notes.txt")

    assert 'href="/templates/oneroster-users.xlsx"' in page
    assert "notes.txt" not in page
    assert response.status_code == 200
    assert response.data == b"PK\x03\x04 workbook"
    assert missing.status_code == 404


def test_index_shows_latest_report(app, admin, examples_dir):
    import_examples(admin, examples_dir)
    job_id, report_id = generate_report(app, admin, ("email", "name"))
    page = admin.get("/").get_data(as_text=True)
    start = page.index('id="latest-job"')
    panel = page[start : page.index("</section>", start)]

    assert f'href="/jobs/{job_id}"' in panel
    assert "with email, name" in panel
    assert '<span class="badge finished">finished</span>' in panel
    assert "<strong>38</strong>scenario 1, matched" in panel
    assert f'href="/reports/{report_id}/report.xlsx"' in panel


def test_index_keeps_latest_options(app, admin, examples_dir):
    import_examples(admin, examples_dir)
    generate_report(app, admin, ("username", "email"))
    page = admin.get("/").get_data(as_text=True)
    selected = re.findall(r'<option value="([^"]+)" selected>', page)

    assert selected == ["username", "email"]
