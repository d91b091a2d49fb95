"""The xlwings glue: license key, payload checks, values as read from a file."""

import pytest
import xlwings

from server.addin import remote
from server.core import layout
from tests.addin.conftest import payload_from_workbook


@pytest.mark.parametrize("path", ["/addin/validate", "/addin/submit"])
def test_missing_license_explains_key(client, admin_headers, monkeypatch, path):
    monkeypatch.delenv("XLWINGS_LICENSE_KEY")
    response = client.post(path, json={"client": "Office.js"}, headers=admin_headers)

    assert response.status_code == 503
    assert "XLWINGS_LICENSE_KEY is not set" in response.json["message"]
    assert "'noncommercial'" in response.json["message"]
    assert "xlwings PRO key" in response.json["message"]


def test_missing_token_is_unauthorized(client):
    response = client.post(
        "/addin/validate", json={}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 401
    assert "Bearer" in response.json["message"]


def sheet(name="Mapping", values=None):
    return {"name": name, "values": [["x"]] if values is None else values}


def payload(**changes):
    body = {"client": "Office.js", "book": {"name": "r.xlsx"}, "sheets": [sheet()]}
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "not a JSON object"),
        (payload(client="Excel VBA"), "client is 'Excel VBA'"),
        (
            payload(client="Microsoft Office Scripts", version="0.1.0"),
            "client (0.1.0) and server",
        ),
        (payload(book=None), "no 'book' object"),
        (payload(sheets=[]), "no 'sheets' list"),
        (payload(sheets=[{"values": [[]]}]), "Sheet 0 of the payload has no name"),
        (payload(sheets=[sheet(values="A1")]), "values of sheet 'Mapping'"),
        (payload(sheets=[sheet(values=[1, 2])]), "values of sheet 'Mapping'"),
    ],
)
def test_bad_payload_rejected(client, viewer_headers, body, message):
    response = client.post("/addin/validate", json=body, headers=viewer_headers)

    assert response.status_code == 400
    assert message in response.json["message"]


def test_office_scripts_client_accepted(client, viewer_headers, report_bytes):
    import xlwings

    body = payload_from_workbook(report_bytes)
    body["client"] = "Microsoft Office Scripts"
    body["version"] = xlwings.__version__
    response = client.post("/addin/validate", json=body, headers=viewer_headers)

    assert response.status_code == 200
    assert response.json["counts"]["error"] == 0


def test_payload_without_meta_sheet(client, viewer_headers):
    response = client.post("/addin/validate", json=payload(), headers=viewer_headers)

    assert response.status_code == 422
    assert "not a user mapping report" in response.json["message"]


def test_foreign_report_id_not_found(client, viewer_headers, report_bytes):
    body = payload_from_workbook(report_bytes)
    meta = next(s for s in body["sheets"] if s["name"] == layout.META_SHEET)
    for row in meta["values"]:
        if row[0] == "report_id":
            row[1] = "0" * 32
    response = client.post("/addin/validate", json=body, headers=viewer_headers)

    assert response.status_code == 404
    assert "0" * 32 in response.json["message"]


def test_numbers_read_as_floats():
    row = remote.as_read_from_file([4512, 4512.5, "004512", True, ""])

    assert row == [4512.0, 4512.5, "004512", True, ""]
    assert type(row[0]) is float
    assert row[3] is True


def test_without_status_blanks_status_only():
    header = list(layout.COLUMN_NAMES)
    row = [f"v{i}" for i in range(len(header))]
    sheets = {
        layout.MAPPING_SHEET: [["band"], header, row],
        layout.META_SHEET: [["report_id", "r1"]],
    }
    cleaned = remote.without_status(sheets)

    assert cleaned[layout.MAPPING_SHEET][2][layout.STATUS] == ""
    assert cleaned[layout.MAPPING_SHEET][2][layout.MAPPING_ID] == row[layout.MAPPING_ID]
    assert cleaned[layout.MAPPING_SHEET][1] == header
    assert row[layout.STATUS] == f"v{layout.STATUS}"
    assert cleaned[layout.META_SHEET] == sheets[layout.META_SHEET]


def test_status_column_found_by_header():
    header = ["Status", *layout.COLUMN_NAMES[:5]]

    assert remote.status_column([["band"], header]) == 0
    assert remote.status_column([["band"]]) == layout.STATUS


def test_remote_engine_registered_late(monkeypatch):
    empty = xlwings.main.Engines()
    monkeypatch.setattr(xlwings, "engines", empty)
    monkeypatch.setattr(xlwings.main, "engines", empty)
    remote.require_license()
    book = remote.open_book(payload())

    assert [engine.name for engine in empty] == ["remote"]
    assert book.sheets[0].name == "Mapping"
