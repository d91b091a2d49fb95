"""Update Users: preview, confirm, history, undo and the CSV exports."""

import csv
import io
import re

import pytest

from .web_helpers import (
    UPLOAD_LINK,
    download_report,
    fetch,
    generate_report,
    import_examples,
    post,
    set_mapping_ids,
    sign_in,
    upload_workbook,
)

pytestmark = pytest.mark.database

LINDQVIST = "104857402"
HALE = "104857403"
LINKS = {LINDQVIST: "2_T1043", HALE: "2_T1044"}
# 38 scenario 1 rows, less Ava Thompson who is linked already, plus LINKS.
CHANGED = 39
DIGEST_FIELD = re.compile(r'name="plan_digest" value="([0-9a-f]{64})"')
APPLY_FORM = re.compile(r'action="(/updates/preview/[0-9a-f]{32}/apply)"')


@pytest.fixture
def report(app, client, examples_dir):
    sign_in(app, client)
    import_examples(client, examples_dir)
    _job_id, report_id = generate_report(app, client)

    return download_report(client, report_id)


def csv_rows(response) -> list[dict[str, str]]:
    text = response.data.decode("utf-8-sig")

    return list(csv.DictReader(io.StringIO(text)))


def preview(client, workbook: bytes):
    return upload_workbook(client, "/updates/", workbook, "linked.xlsx")


def confirm(client, page: str):
    action = APPLY_FORM.search(page).group(1)
    digest = DIGEST_FIELD.search(page).group(1)

    return post(client, action, {"plan_digest": digest})


def test_preview_lists_changes(client, report):
    response = preview(client, set_mapping_ids(report, LINKS))
    page = response.get_data(as_text=True)
    start = page.index('<table id="changes">')
    table = page[start : page.index("</table>", start)]

    assert response.status_code == 200
    assert f"{CHANGED} unique IDs will change" in page
    assert f"<strong>{CHANGED}</strong>unique IDs change" in page
    assert "<strong>1</strong>already linked, unchanged" in page
    assert f'<td class="id">{LINDQVIST}</td>' in table
    assert "Bob Lindqvist" in table
    assert '<td class="id">blindqvist</td>' in table
    assert '<td class="id">2_T1043</td>' in table
    assert f"Confirm and update {CHANGED} users" in page


def test_apply_then_history_and_exports(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    response = confirm(client, page)
    history = client.get("/updates/").get_data(as_text=True)
    users = csv_rows(fetch(client, "/updates/users.csv"))
    unique_ids = {row["Schoology User ID"]: row["User Unique ID"] for row in users}
    changes = csv_rows(fetch(client, "/updates/batches/1/changes.csv"))

    assert response.status_code == 302
    assert f"Updated the Unique ID of {CHANGED} Schoology users (batch 1)." in history
    assert '<tr id="batch-1">' in history
    assert "Undo batch 1" in history
    assert unique_ids[LINDQVIST] == "2_T1043"
    assert unique_ids["104857302"] == "1_004512"
    assert len(changes) == CHANGED
    assert {"Schoology User ID", "User Unique ID", "First Name"} <= set(changes[0])


def test_second_confirm_changes_nothing(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    response = confirm(client, page)
    history = client.get("/updates/").get_data(as_text=True)

    assert response.status_code == 302
    assert "was applied already as batch 1" in history
    assert history.count('<tr id="batch-') == 1


def test_confirm_with_wrong_digest_rejected(client, report):
    page = preview(client, report).get_data(as_text=True)
    action = APPLY_FORM.search(page).group(1)
    response = post(client, action, {"plan_digest": "0" * 64})
    history = client.get("/updates/").get_data(as_text=True)

    assert response.status_code == 302
    assert "No update has been applied yet." in history


def test_undo_restores_unique_ids(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    response = post(client, "/updates/undo", {"batch_id": "1"})
    history = client.get("/updates/").get_data(as_text=True)
    users = csv_rows(fetch(client, "/updates/users.csv"))
    unique_ids = {row["Schoology User ID"]: row["User Unique ID"] for row in users}

    assert response.status_code == 302
    assert (
        f"Undid batch 1: restored the unique ID of {CHANGED} Schoology users."
        in history
    )
    assert "undone" in history
    assert "Undo batch" not in history
    assert unique_ids[LINDQVIST] == "blindqvist"
    assert unique_ids["104857302"] == "004512"


def test_undo_of_stale_batch_rejected(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    response = post(client, "/updates/undo", {"batch_id": "7"})
    page = response.get_data(as_text=True)

    assert response.status_code == 409
    assert 'id="undo-error"' in page
    assert "no longer the newest one in effect" in page


def test_undone_batch_export_rejected(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    post(client, "/updates/undo", {"batch_id": "1"})
    response = fetch(client, "/updates/batches/1/changes.csv")

    assert response.status_code == 409
    assert "was undone" in response.get_data(as_text=True)


def test_preview_with_errors_goes_to_results(client, report):
    edited = set_mapping_ids(report, {LINDQVIST: "1_S99999"})
    response = preview(client, edited)
    location = response.headers["Location"]
    page = client.get(location).get_data(as_text=True)

    assert response.status_code == 302
    assert location.startswith("/validate/")
    assert "has 1 row with errors, so no update can be previewed" in page
    assert "1_S99999" in page


def test_preview_from_validated_upload(client, report):
    edited = set_mapping_ids(report, LINKS)
    page = upload_workbook(client, "/validate/", edited).get_data(as_text=True)
    upload_id = UPLOAD_LINK.search(page).group(1)
    response = client.get(f"/updates/preview/{upload_id}")

    assert response.status_code == 200
    assert f"{CHANGED} unique IDs will change" in response.get_data(as_text=True)


def test_preview_bad_file_error_under_input(client, report):
    response = upload_workbook(client, "/updates/", b"not a zip", "linked.xlsx")
    page = response.get_data(as_text=True)

    assert response.status_code == 415
    assert 'id="workbook-error"' in page
    assert "is not an Excel workbook" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/updates/"),
        ("post", "/updates/undo"),
        ("get", "/updates/users.csv"),
        ("get", "/updates/preview/" + "0" * 32),
    ],
)
def test_viewer_cannot_update(app, client, method, path):
    sign_in(app, client, "vera.viewer", "viewer")
    if method == "get":
        response = client.get(path)
    else:
        response = post(client, path, {"batch_id": "1"})

    assert response.status_code == 403
    assert "This needs the admin role" in response.get_data(as_text=True)


def test_rerun_after_apply_shows_linked(app, client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    job_id, _report_id = generate_report(app, client)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)

    # Ava Thompson was linked before; every user of the batch is linked now.
    assert f"<strong>{CHANGED + 1}</strong>already linked" in page
    assert "<strong>6</strong>scenario 2, Schoology only" in page


def test_batch_page_lists_changes(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    history = client.get("/updates/").get_data(as_text=True)
    page = client.get("/updates/batches/1").get_data(as_text=True)
    start = page.index('<table id="batch-changes">')
    table = page[start : page.index("</table>", start)]

    assert '<a href="/updates/batches/1">1</a>' in history
    assert f"{CHANGED} unique IDs changed" in page
    assert table.count("<tr>") == CHANGED + 1
    assert "Bob Lindqvist" in table
    assert '<td class="id">blindqvist</td>' in table
    assert '<td class="id">2_T1043</td>' in table
    assert client.get("/updates/batches/9").status_code == 404


def test_batch_times_match_the_api(client, report):
    page = preview(client, set_mapping_ids(report, LINKS)).get_data(as_text=True)
    confirm(client, page)
    post(client, "/updates/undo", {"batch_id": "1"})
    batch = client.get("/api/updates/1").json
    history = client.get("/updates/").get_data(as_text=True)
    detail = client.get("/updates/batches/1").get_data(as_text=True)
    applied = batch["created_at"]
    undone = batch["undone_at"]

    assert applied.endswith("+00:00")
    assert undone.endswith("+00:00")
    for text in (history, detail):
        assert f'<time datetime="{applied}">{applied.replace("T", " ")}</time>' in text
        assert f'<time datetime="{undone}">{undone.replace("T", " ")}</time>' in text
