"""The whole Data Prep workflow in Chromium, through the real server.

Sign in, import the examples, generate a report, download it, upload a copy
with mistakes, read the errors next to the rows, fix them, upload again,
preview, apply, undo, and find the job on the Logs page.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import openpyxl
import pytest

from server.db import get_session
from server.models import FAILED, RUNNING, Job

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Set DATAPREP_SCREENSHOTS to a folder to keep a screenshot of every page.
SHOTS = os.environ.get("DATAPREP_SCREENSHOTS")

STUDENT = "104857323"
TEST_STUDENT = "104857325"
LINDQVIST = "104857402"
HALE = "104857403"
MISTAKES = {
    STUDENT: "2_T1045",  # a teacher ID on a student row
    TEST_STUDENT: "1_S99999",  # no such SIS user
    LINDQVIST: "2_T1044",  # one ID on two rows
    HALE: "2_T1044",
}
FIXED = {STUDENT: None, TEST_STUDENT: None, LINDQVIST: "2_T1043", HALE: "2_T1044"}
# 38 scenario 1 rows, less Ava Thompson who is linked already, plus two links.
CHANGED = 39


def snap(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def set_mapping_ids(source: Path, target: Path, ids: dict[str, str | None]) -> None:
    """Type Integration-Mapping IDs into a downloaded report, as in Excel."""
    workbook = openpyxl.load_workbook(io.BytesIO(source.read_bytes()))
    sheet = workbook["Mapping"]
    columns = {cell.value: cell.column for cell in sheet[2] if cell.value}
    for row in range(3, sheet.max_row + 1):
        schoology_id = sheet.cell(row, columns["Schoology User ID"]).value
        if schoology_id in ids:
            sheet.cell(row, columns["Integration-Mapping ID"]).value = ids[schoology_id]
    workbook.save(target)


def problem_row(page, schoology_id: str):
    return page.locator("#problems tbody tr", has_text=schoology_id)


def sign_in(page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    snap(page, "01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Data Prep", exact=True).wait_for()


def import_examples(page) -> None:
    page.get_by_label("Schoology user export (.csv)").set_input_files(
        str(EXAMPLES / "schoology" / "users.csv")
    )
    page.get_by_role("button", name="Import Schoology users").click()
    page.get_by_text("Imported 46 Schoology users from users.csv.").wait_for()

    page.get_by_label("SIS export files (.csv)").set_input_files(
        [
            str(EXAMPLES / "oneroster" / "users.csv"),
            str(EXAMPLES / "oneroster" / "orgs.csv"),
        ]
    )
    page.get_by_label("SIS format").select_option("oneroster")
    page.get_by_role("button", name="Import SIS users").click()
    page.get_by_text("Imported 47 SIS users from 2 files.").wait_for()


def generate_and_download(page, folder: Path) -> Path:
    page.locator("#match-0").select_option("email")
    page.locator("#match-1").select_option("name")
    snap(page, "02-data-prep")
    page.get_by_role("button", name="Generate Report").click()

    # job.js polls the status route and reloads the page when the job ends.
    link = page.get_by_role("link", name="Download the report (.xlsx)")
    link.wait_for(timeout=60_000)
    snap(page, "03-job")
    with page.expect_download() as download_info:
        link.click()
    path = folder / "report.xlsx"
    download_info.value.save_as(path)

    return path


def upload_for_validation(page, path: Path) -> None:
    page.get_by_role("link", name="Upload and Validate").click()
    page.get_by_label("Edited report (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Validate").click()
    page.get_by_role("heading", name=f"Results for {path.name}").wait_for()


def test_workflow_from_sign_in_to_undo(page, live_server, tmp_path):
    sign_in(page, live_server.url)
    import_examples(page)
    report = generate_and_download(page, tmp_path)

    broken = tmp_path / "broken.xlsx"
    set_mapping_ids(report, broken, MISTAKES)
    upload_for_validation(page, broken)
    snap(page, "04-validate-errors")
    check_page_structure(page)

    assert page.get_by_text("Fix the errors below in the workbook").is_visible()
    assert "2_T1045" in problem_row(page, STUDENT).first.inner_text()
    assert "Mapping!W" in problem_row(page, STUDENT).first.inner_text()
    assert "1_S99999" in problem_row(page, TEST_STUDENT).first.inner_text()
    assert "2_T1044" in problem_row(page, LINDQVIST).first.inner_text()
    assert "2_T1044" in problem_row(page, HALE).first.inner_text()
    assert page.get_by_role("link", name="Preview Update Users").count() == 0

    fixed = tmp_path / "fixed.xlsx"
    set_mapping_ids(report, fixed, FIXED)
    upload_for_validation(page, fixed)

    assert page.get_by_text("No errors and no warnings.").is_visible()

    page.get_by_role("link", name="Preview Update Users").click()
    page.get_by_role("heading", name=f"{CHANGED} unique IDs will change").wait_for()
    snap(page, "05-preview")
    check_page_structure(page)

    assert page.locator("#changes tbody tr").count() == CHANGED
    assert (
        "2_T1043" in page.locator("#changes tbody tr", has_text=LINDQVIST).inner_text()
    )

    page.get_by_role("button", name=f"Confirm and update {CHANGED} users").click()
    page.get_by_text(f"Updated the Unique ID of {CHANGED} Schoology users").wait_for()
    snap(page, "06-updated")

    assert page.locator("#batches tbody tr").count() == 1

    page.get_by_role("button", name="Undo batch 1").click()
    page.get_by_text(f"Undid batch 1: restored the unique ID of {CHANGED}").wait_for()

    assert "undone" in page.locator("#batch-1").inner_text()

    page.get_by_role("link", name="Logs").click()
    snap(page, "07-logs")
    row = page.locator("tbody tr").first

    assert "email, name" in row.inner_text()
    assert ADMIN_USERNAME in row.inner_text()
    assert re.search(r"scenario 1, matched\s+38", row.inner_text())

    page.get_by_role("link", name="Data Prep", exact=True).click()
    snap(page, "08-data-prep-latest")

    assert "email, name" in page.locator("#latest-job").inner_text()


def test_pages_keyboard_reachable(page, live_server):
    sign_in(page, live_server.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")

    assert focused == "Skip to content"


def set_job(app, job_id: str, **values) -> None:
    """Write a job row as the job thread would."""
    with app.app_context():
        session = get_session()
        job = session.get(Job, job_id)
        if job is None:
            job = Job(id=job_id, kind="report", params={"options": ["email"]})
            session.add(job)
        for name, value in values.items():
            setattr(job, name, value)
        session.commit()


def test_job_page_polls_progress(page, live_server):
    job_id = "b" * 32
    set_job(live_server.app, job_id, status=RUNNING, progress=0.25, message="Matching")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/jobs/{job_id}")
    progress = page.locator("#job-progress")

    assert progress.get_attribute("value") == "0.25"

    set_job(live_server.app, job_id, progress=0.75, message="Writing the workbook")
    page.get_by_text("Writing the workbook").wait_for()

    assert page.evaluate("document.getElementById('job-progress').value") == 0.75

    set_job(live_server.app, job_id, status=FAILED, error="The SIS export is empty.")
    page.get_by_text("The report failed: The SIS export is empty.").wait_for()

    assert page.locator("#job-progress").count() == 0


def test_job_page_refreshes_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        job_id = "c" * 32
        set_job(live_server.app, job_id, status=RUNNING, progress=0.5, message="")
        sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/jobs/{job_id}")
        set_job(live_server.app, job_id, status=FAILED, error="The export is empty.")

        # The <noscript> refresh reloads the page after 3 seconds.
        page.get_by_text("The report failed: The export is empty.").wait_for(
            timeout=10_000
        )
    finally:
        context.close()


UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll(
    "input:not([type=hidden]), select, textarea"
)).filter((control) => control.labels.length === 0).map((control) => control.id)
"""


def check_page_structure(page) -> None:
    """Check the landmarks, the single h1 and a label on every control."""
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main#content").count() == 1
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def test_pages_label_every_control(page, live_server):
    page.goto(live_server.url + "/login")
    check_page_structure(page)

    sign_in(page, live_server.url)
    for path in ("/", "/validate/", "/updates/", "/logs/"):
        page.goto(live_server.url + path)
        check_page_structure(page)


def test_busy_form_blocks_second_submit(page, live_server):
    sign_in(page, live_server.url)
    import_examples(page)
    # Keep the page here after the submit, as a slow server would.
    page.evaluate(
        "document.querySelector('form[action=\"/generate\"]')"
        ".addEventListener('submit', (event) => event.preventDefault())"
    )
    page.get_by_role("button", name="Generate Report").click()
    form = page.locator('form[action="/generate"]')
    page.wait_for_function(
        "document.querySelector('form[action=\"/generate\"]')"
        ".getAttribute('aria-busy') === 'true'"
    )

    assert page.get_by_role("button", name="Generate Report").is_disabled()
    assert form.get_attribute("aria-busy") == "true"
