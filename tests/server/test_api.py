"""The JSON API end to end, and its OpenAPI document."""

import io
import re

import pytest
from openapi_spec_validator import validate as validate_openapi

from server.core import frontend
from server.core.errors import DataPrepError
from server.errors import core_error_classes, error_code
from server.services import errors as service_errors
from server.services import reports
from server.services.uploads import UploadError

from .conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    download,
    edit_report,
    generate_report,
    import_examples,
)

pytestmark = pytest.mark.database


def openapi_path(rule: str) -> str:
    """Turn a Flask rule such as ``/api/x/<int:id>`` into ``/api/x/{id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_lists_every_route(app, client):
    document = client.get("/api/openapi.json").json
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]

    assert document["openapi"] == "3.1.0"
    assert len(rules) > 15
    for rule in rules:
        path = openapi_path(rule.rule)
        assert path in document["paths"], f"{rule.rule} is missing from openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path}"


def test_openapi_document_is_valid(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    # Raises OpenAPIValidationError, naming the invalid part, when it is not.
    validate_openapi(response.json)


def test_openapi_lists_no_stale_route(app, client):
    document = client.get("/api/openapi.json").json
    routes = {
        openapi_path(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }

    assert set(document["paths"]) <= routes


# Codes that the error handlers and the auth layer set, not an exception class.
HANDLER_CODES = {
    "bad_request",
    "csrf",
    "forbidden",
    "invalid_token",
    "not_found",
    "too_large",
    "unauthorized",
}


def documented_error_codes(document: dict) -> set[str]:
    """Collect the error codes that the document's shared responses list."""
    codes = set()
    for response in document["components"]["responses"].values():
        schema = response["content"]["application/json"]["schema"]
        for part in schema.get("allOf", []):
            codes.update(part.get("properties", {}).get("error", {}).get("enum", []))

    return codes


def test_openapi_lists_every_error_code(client):
    document = client.get("/api/openapi.json").json
    service_classes = [
        value
        for value in vars(service_errors).values()
        if isinstance(value, type) and issubclass(value, DataPrepError)
    ]
    classes = [*core_error_classes(), *service_classes, UploadError]
    raised = {error_code(error_class) for error_class in classes}

    assert documented_error_codes(document) == raised | HANDLER_CODES


# Every time in an API response is UTC to the second, with its offset.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def test_api_times_have_utc_offset(client, admin_headers, edited_workbook):
    headers = admin_headers
    previewed = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(edited_workbook), "edited.xlsx")},
        headers=headers,
    )
    upload_id = previewed.json["upload_id"]
    applied = client.post(
        "/api/updates", json={"upload_id": upload_id}, headers=headers
    )
    undone = client.post("/api/updates/undo", headers=headers).json["batch"]
    job = client.get("/api/reports", headers=headers).json["jobs"][0]
    snapshots = client.get("/api/sources", headers=headers).json["snapshots"]
    times = {
        "job created_at": job["created_at"],
        "job started_at": job["started_at"],
        "job finished_at": job["finished_at"],
        "report created_at": job["report"]["created_at"],
        "batch created_at": applied.json["batch"]["created_at"],
        "batch undone_at": undone["undone_at"],
    }
    times.update({f"snapshot {s['id']} created_at": s["created_at"] for s in snapshots})

    assert len(times) == 8
    for name, value in times.items():
        assert TIMESTAMP.match(value), f"{name} is {value!r}"


def test_workflow_end_to_end(client, admin_headers, examples_dir):
    headers = admin_headers
    import_examples(client, headers, examples_dir)

    first = generate_report(client, headers)
    report_id = first["report"]["id"]
    counts = first["report"]["counts"]
    assert first["progress"] == 1.0
    assert first["message"] == "Done."
    assert counts["2"] == 8
    assert counts["already_linked"] == 1

    csv_text = download(client, headers, report_id, "csv").decode("utf-8-sig")
    assert csv_text.startswith("Schoology User ID,")
    workbook = edit_report(
        download(client, headers, report_id), dict([STUDENT_ROW, TEACHER_ROW])
    )

    validated = client.post(
        "/api/validate",
        data={"file": (io.BytesIO(workbook), "r.xlsx")},
        headers=headers,
    )
    assert validated.status_code == 200
    assert validated.json["has_errors"] is False
    assert validated.json["totals"]["ids"] == counts["1"] + 2

    preview = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(workbook), "r.xlsx")},
        headers=headers,
    )
    assert preview.status_code == 201
    plan = preview.json["plan"]
    changes = {c["schoology_id"]: c for c in plan["changes"]}
    assert preview.json["can_apply"] is True
    assert changes[STUDENT_ROW[0]]["after"] == STUDENT_ROW[1]
    assert changes[TEACHER_ROW[0]]["after"] == TEACHER_ROW[1]
    assert plan["totals"]["change"] == len(changes)

    applied = client.post(
        "/api/updates", json={"upload_id": preview.json["upload_id"]}, headers=headers
    )
    assert applied.status_code == 201
    assert applied.json["applied"] is True
    assert applied.json["batch"]["change_count"] == len(changes)

    second = generate_report(client, headers)
    second_counts = second["report"]["counts"]
    assert second_counts["already_linked"] == counts["already_linked"] + len(changes)
    assert second_counts["2"] == counts["2"] - 2

    undone = client.post("/api/updates/undo", headers=headers)
    assert undone.status_code == 200
    assert undone.json["batch"]["undone_at"] is not None

    third = generate_report(client, headers)
    assert third["report"]["counts"] == counts


def test_report_job_rejects_bad_options(client, admin_headers, imported):
    response = client.post(
        "/api/reports", json={"options": "email,shoe-size"}, headers=admin_headers
    )

    assert response.status_code == 400
    assert "'shoe-size' is not a valid mapping option" in response.json["message"]


def test_report_needs_imports(client, admin_headers):
    response = client.post(
        "/api/reports", json={"options": "email"}, headers=admin_headers
    )

    assert response.status_code == 400
    assert response.json["error"] == "missing_import"
    assert "import a Schoology user export first" in response.json["message"]


def test_logs_list_report_jobs(client, admin_headers, report):
    entries = client.get("/api/reports", headers=admin_headers).json["jobs"]
    entry = entries[0]

    assert len(entries) == 1
    assert entry["created_by"] == "alma.admin"
    assert entry["params"]["options"] == ["email", "name"]
    assert entry["report"]["id"] == report["id"]
    assert entry["report"]["counts"]["1"] == report["counts"]["1"]
    assert entry["report"]["downloads"]["xlsx"].endswith("/download/xlsx")
    assert entry["report"]["downloads"]["csv"].endswith("/download/csv")


def test_new_report_supersedes_old(client, admin_headers, report):
    newer = generate_report(client, admin_headers)["report"]
    old = client.get(f"/api/reports/{report['id']}", headers=admin_headers).json

    assert old["superseded"] is True
    assert old["newer_report_id"] == newer["id"]
    assert newer["superseded"] is False


def test_validate_superseded_report_rejected(client, admin_headers, edited_workbook):
    generate_report(client, admin_headers)
    response = client.post(
        "/api/validate",
        data={"file": (io.BytesIO(edited_workbook), "old.xlsx")},
        headers=admin_headers,
    )

    assert response.status_code == 409
    assert "out of date" in response.json["message"]


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [
        ("/api/reports/nope", "report_not_found", "Report 'nope' not found"),
        (
            "/api/reports/nope/download/xlsx",
            "report_not_found",
            "Report 'nope' not found",
        ),
        ("/api/jobs/nope", "job_not_found", "Job 'nope' not found"),
        ("/api/updates/99", "batch_not_found", "Update batch 99 not found"),
    ],
)
def test_unknown_ids_are_404(client, viewer_headers, path, code, message):
    response = client.get(path, headers=viewer_headers)

    assert response.status_code == 404
    assert response.json["error"] == code
    assert response.json["message"].startswith(message)


def test_unknown_report_names_api_route(client, viewer_headers):
    response = client.get("/api/reports/nope", headers=viewer_headers)

    assert response.json["message"] == (
        "Report 'nope' not found; list the reports with GET /api/reports."
    )
    # The test client serves the request on this thread, which must get the
    # web's words back for the pages it serves next.
    assert frontend.step("list_reports") == "list the reports on the Logs page"


def test_unknown_upload_is_404(client, admin_headers):
    response = client.post(
        "/api/updates", json={"upload_id": "nope"}, headers=admin_headers
    )

    assert response.status_code == 404
    assert response.json["error"] == "upload_not_found"
    assert response.json["message"].startswith("Upload 'nope' not found")


def test_unknown_snapshot_is_404(client, admin_headers, imported):
    response = client.post(
        "/api/reports",
        json={"options": "email", "sis_snapshot_id": 99},
        headers=admin_headers,
    )

    assert response.status_code == 404
    assert response.json["error"] == "snapshot_not_found"
    assert response.json["message"].startswith("SIS snapshot 99 not found")


def test_missing_report_file_is_404(app, client, viewer_headers, report):
    with app.app_context():
        reports.report_file(report["id"], "csv").unlink()
    response = client.get(
        f"/api/reports/{report['id']}/download/csv", headers=viewer_headers
    )

    assert response.status_code == 404
    assert response.json["error"] == "report_file_missing"
    assert "generate the report again" in response.json["message"]


@pytest.mark.parametrize(
    ("path", "kwargs", "message"),
    [
        ("/api/updates", {"json": [1, 2]}, "The request body is not a JSON object"),
        ("/api/updates", {"json": {}}, "upload_id is missing"),
        ("/api/validate", {}, "The request has no file in the multipart field"),
        ("/api/sources/sis", {"data": {"column_map": "x"}}, "no file"),
    ],
)
def test_bad_request_is_invalid_request(client, admin_headers, path, kwargs, message):
    response = client.post(path, headers=admin_headers, **kwargs)

    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"
    assert message in response.json["message"]


def test_download_rejects_other_format(client, viewer_headers, report):
    response = client.get(
        f"/api/reports/{report['id']}/download/pdf", headers=viewer_headers
    )

    assert response.status_code == 400
    assert "Format 'pdf' is invalid" in response.json["message"]
