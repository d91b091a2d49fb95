"""Workbooks uploaded as files in slices, as Office.js hands them over."""

import os
import time

import pytest

from server.addin import slices
from server.core.layout import MAPPING_SHEET
from tests.addin.conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    edit_report,
    payload_from_workbook,
)
from tests.addin.test_commands import (
    MISTAKES,
    alerts,
    batch_count,
    statuses,
    unique_ids,
)
from tests.core.test_readback import with_unreadable_sheet
from tests.server.test_validation import UNKNOWN_REPORT, with_report_id


def upload_file(client, headers, data: bytes, slice_size: int = 4096) -> str:
    parts = [data[i : i + slice_size] for i in range(0, len(data), slice_size)]
    started = client.post(
        "/addin/files", json={"slices": len(parts), "size": len(data)}, headers=headers
    )
    assert started.status_code == 201, started.json
    upload_id = started.json["upload_id"]
    for index, part in enumerate(parts):
        response = client.post(
            f"/addin/files/{upload_id}/slices/{index}",
            data=part,
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 200, response.json

    return upload_id


def test_file_verdicts_match_payload(client, viewer_headers, report_bytes):
    data = edit_report(report_bytes, MISTAKES)
    upload_id = upload_file(client, viewer_headers, data)
    from_file = client.post(
        f"/addin/files/{upload_id}/validate", headers=viewer_headers
    )
    payload = payload_from_workbook(data)
    from_values = client.post("/addin/validate", json=payload, headers=viewer_headers)

    assert from_file.status_code == 200, from_file.json
    assert from_file.json["counts"] == from_values.json["counts"]
    assert from_file.json["first_error"] == from_values.json["first_error"]
    assert statuses(payload, from_file.json) == statuses(payload, from_values.json)


def test_file_upload_is_removed(app, client, viewer_headers, report_bytes):
    upload_id = upload_file(client, viewer_headers, report_bytes)
    client.post(f"/addin/files/{upload_id}/validate", headers=viewer_headers)
    again = client.post(f"/addin/files/{upload_id}/validate", headers=viewer_headers)

    assert again.status_code == 404
    assert "not found or expired" in again.json["message"]
    assert again.json["error"] == "upload_not_found"


@pytest.mark.database
def test_file_submit_preview_and_apply(client, admin_headers, report_bytes):
    data = edit_report(report_bytes, dict([STUDENT_ROW, TEACHER_ROW]))
    first_id = upload_file(client, admin_headers, data)
    first = client.post(f"/addin/files/{first_id}/submit", headers=admin_headers).json
    payload = payload_from_workbook(data)

    assert first["preview"]["changes"] > 0
    second_id = upload_file(client, admin_headers, data)
    second = client.post(
        f"/addin/files/{second_id}/submit?confirm={first['preview']['digest']}",
        headers=admin_headers,
    )

    assert second.status_code == 200, second.json
    assert second.json["batch"]["change_count"] == first["preview"]["changes"]
    assert statuses(payload, second.json)[STUDENT_ROW[0]].startswith("Updated in batch")


@pytest.mark.database
def test_file_submit_viewer_rejected(
    app, client, admin_headers, viewer_headers, report_bytes
):
    data = edit_report(report_bytes, dict([STUDENT_ROW, TEACHER_ROW]))
    admin_id = upload_file(client, admin_headers, data)
    preview = client.post(f"/addin/files/{admin_id}/submit", headers=admin_headers)
    digest = preview.json["preview"]["digest"]
    before = unique_ids(app)
    responses = []
    for query in ("", f"?confirm={digest}"):
        upload_id = upload_file(client, viewer_headers, data)
        responses.append(
            client.post(
                f"/addin/files/{upload_id}/submit{query}", headers=viewer_headers
            )
        )

    assert preview.status_code == 200, preview.json
    for response in responses:
        assert response.status_code == 403
        assert "admin" in response.json["message"]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


@pytest.mark.database
def test_file_submit_errors_change_nothing(app, client, admin_headers, report_bytes):
    data = edit_report(report_bytes, MISTAKES)
    before = unique_ids(app)
    upload_id = upload_file(client, admin_headers, data)
    response = client.post(f"/addin/files/{upload_id}/submit", headers=admin_headers)
    body = response.json

    assert response.status_code == 200, body
    assert body["preview"] is None
    assert body["counts"]["error"] == 2
    assert statuses(payload_from_workbook(data), body)[STUDENT_ROW[0]].startswith(
        "Error: "
    )
    assert "nothing changed in Schoology" in alerts(body)[0]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


@pytest.mark.database
def test_file_confirm_unknown_digest(app, client, admin_headers, report_bytes):
    data = edit_report(report_bytes, MISTAKES)
    before = unique_ids(app)
    upload_id = upload_file(client, admin_headers, data)
    response = client.post(
        f"/addin/files/{upload_id}/submit?confirm={'0' * 32}", headers=admin_headers
    )

    assert response.status_code == 404, response.json
    assert "not found" in response.json["message"]
    assert unique_ids(app) == before
    assert batch_count(app) == 0


def test_missing_slice_rejected(client, viewer_headers):
    started = client.post(
        "/addin/files", json={"slices": 2, "size": 8}, headers=viewer_headers
    )
    upload_id = started.json["upload_id"]
    client.post(
        f"/addin/files/{upload_id}/slices/0", data=b"PK\x03\x04", headers=viewer_headers
    )
    response = client.post(f"/addin/files/{upload_id}/validate", headers=viewer_headers)

    assert response.status_code == 400
    assert "missing slice 1 of 2" in response.json["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"slices": 0, "size": 10}, "positive number of slices"),
        ({"slices": "2", "size": 10}, "positive number of slices"),
        ({"slices": 3, "size": 2}, "cannot have 3 slices"),
        ({"slices": 1, "size": 10**12}, "DATAPREP_ADDIN_MAX_FILE"),
    ],
)
def test_bad_upload_start_rejected(client, viewer_headers, body, message):
    response = client.post("/addin/files", json=body, headers=viewer_headers)

    assert response.status_code == 400
    assert message in response.json["message"]


@pytest.mark.parametrize(
    ("index", "data", "message"),
    [
        (5, b"abcd", "Slice 5 is out of range"),
        (0, b"", "Slice 0 has 0 bytes"),
        (0, b"x" * 20, "add up to more than the announced 8 bytes"),
    ],
)
def test_bad_slice_rejected(client, viewer_headers, index, data, message):
    started = client.post(
        "/addin/files", json={"slices": 2, "size": 8}, headers=viewer_headers
    )
    upload_id = started.json["upload_id"]
    response = client.post(
        f"/addin/files/{upload_id}/slices/{index}", data=data, headers=viewer_headers
    )

    assert response.status_code == 400
    assert message in response.json["message"]


def test_other_account_cannot_use_upload(client, viewer_headers, admin_headers):
    started = client.post(
        "/addin/files", json={"slices": 1, "size": 4}, headers=viewer_headers
    )
    upload_id = started.json["upload_id"]
    response = client.post(
        f"/addin/files/{upload_id}/slices/0", data=b"PK\x03\x04", headers=admin_headers
    )

    assert response.status_code == 404


@pytest.mark.parametrize("upload_id", ["." * 32, "ABC", "0" * 31 + "g"])
def test_bad_upload_id_not_found(client, viewer_headers, upload_id):
    response = client.post(f"/addin/files/{upload_id}/validate", headers=viewer_headers)

    assert response.status_code == 404


def test_stale_uploads_removed(app, client, viewer_headers):
    started = client.post(
        "/addin/files", json={"slices": 1, "size": 4}, headers=viewer_headers
    )
    upload_id = started.json["upload_id"]
    with app.app_context():
        folder = slices.upload_folder(upload_id)
        old = time.time() - slices.MAX_AGE_SECONDS - 10
        os.utime(folder, (old, old))
        removed = slices.remove_stale()
        exists = folder.exists()

    assert removed == 1
    assert exists is False


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.xlsx", "report.xlsx"),
        ("Book1", "Book1.xlsx"),
        ("C:\\fake\\..\\report.XLSM", "C:\\fake\\..\\report.XLSM"),
        ("../../secret.xlsx", "secret.xlsx"),
        (None, "workbook.xlsx"),
    ],
)
def test_file_name_gets_excel_suffix(name, expected):
    assert slices.file_name(name) == expected


@pytest.mark.parametrize("action", ["validate", "submit"])
def test_file_unknown_report_mapping_unread(
    client, admin_headers, report_bytes, action
):
    foreign = with_report_id(report_bytes, UNKNOWN_REPORT)
    data = with_unreadable_sheet(foreign, MAPPING_SHEET)
    upload_id = upload_file(client, admin_headers, data)
    response = client.post(f"/addin/files/{upload_id}/{action}", headers=admin_headers)

    assert response.status_code == 404, response.json
    assert response.json["error"] == "report_not_found"
    assert (
        f"is report {UNKNOWN_REPORT}, which this server has no record of"
        in (response.json["message"])
    )
