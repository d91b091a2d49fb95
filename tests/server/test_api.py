"""The JSON API end to end, and its OpenAPI document."""

import io
import re

import pytest

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


def test_openapi_lists_no_stale_route(app, client):
    document = client.get("/api/openapi.json").json
    routes = {
        openapi_path(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }

    assert set(document["paths"]) <= routes


def test_workflow_end_to_end(client, admin_headers, examples_dir):
    headers = admin_headers
    import_examples(client, headers, examples_dir)

    first = generate_report(client, headers)
    report_id = first["report"]["id"]
    counts = first["report"]["counts"]
    assert first["progress"] == 1.0
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
    ("path", "kind"),
    [("/api/reports/nope/download/xlsx", "xlsx"), ("/api/jobs/nope", None)],
)
def test_unknown_ids_are_404(client, viewer_headers, path, kind):
    response = client.get(path, headers=viewer_headers)

    assert response.status_code == 404
    assert "'nope' not found" in response.json["message"]


def test_download_rejects_other_format(client, viewer_headers, report):
    response = client.get(
        f"/api/reports/{report['id']}/download/pdf", headers=viewer_headers
    )

    assert response.status_code == 400
    assert "Format 'pdf' is invalid" in response.json["message"]
