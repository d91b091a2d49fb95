"""The Logs page: every job with options, owner, counts and downloads."""

import pytest

from server import jobs

from .web_helpers import generate_report, import_examples, sign_in

pytestmark = pytest.mark.database


def test_logs_empty(app, client):
    sign_in(app, client, "vera.viewer", "viewer")
    page = client.get("/logs/").get_data(as_text=True)

    assert "No report has been generated yet." in page


def test_logs_list_report_job(app, client, examples_dir):
    sign_in(app, client)
    import_examples(client, examples_dir)
    job_id, report_id = generate_report(app, client, ("email", "name"))
    page = client.get("/logs/").get_data(as_text=True)
    start = page.index(f'<tr id="job-{job_id}">')
    row = page[start : page.index("</tr>", start)]

    assert f'<a href="/jobs/{job_id}" title="Job {job_id}">' in row
    assert "<td>ada.admin</td>" in row
    assert "<td>email, name</td>" in row
    assert '<span class="badge finished">finished</span>' in row
    assert "<dt>scenario 1, matched</dt><dd>38</dd>" in row
    assert "<dt>scenario 2, Schoology only</dt><dd>8</dd>" in row
    assert "<dt>scenario 3, SIS only</dt><dd>9</dd>" in row
    assert f'href="/reports/{report_id}/report.xlsx"' in row
    assert f'href="/reports/{report_id}/report.csv"' in row
    created = client.get(f"/api/jobs/{job_id}").json["created_at"]
    assert created.endswith("+00:00")
    assert f'<td><time datetime="{created}">' in row
    assert f"{created.replace('T', ' ')}</time></td>" in row


def test_logs_show_failed_job_error(app, client, examples_dir):
    sign_in(app, client)
    import_examples(client, examples_dir)
    with app.app_context():
        # Parameters without snapshot ids make the report function fail.
        job = jobs.submit("report", {"options": ["email"]}, None)
        job_id = job.id
        jobs.wait(job_id, timeout=60)

    page = client.get("/logs/").get_data(as_text=True)
    start = page.index(f'<tr id="job-{job_id}">')
    row = page[start : page.index("</tr>", start)]

    assert '<span class="badge failed">failed</span>' in row
    assert '<span class="error-text">' in row
    assert jobs.FAILED_MESSAGE in row
    assert "<td>unknown</td>" in row


def test_logs_mark_superseded_reports(app, client, examples_dir):
    sign_in(app, client)
    import_examples(client, examples_dir)
    first_job, _report = generate_report(app, client, ("email",))
    second_job, _report = generate_report(app, client, ("email", "name"))
    page = client.get("/logs/").get_data(as_text=True)

    def row(job_id):
        start = page.index(f'<tr id="job-{job_id}">')
        return page[start : page.index("</tr>", start)]

    assert "superseded" in row(first_job)
    assert "superseded" not in row(second_job)
    assert page.index(second_job) < page.index(first_job)
