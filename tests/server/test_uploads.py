"""Workbook uploads whose ZIP package would unpack far beyond its size."""

import io

import pytest

from tests.core.test_xlsx import report_bytes, schoology_workbook, with_padding

PADDING = 8 << 20


@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("/api/sources/schoology", lambda: schoology_workbook([])),
        ("/api/validate", report_bytes),
    ],
)
def test_padded_workbook_rejected(client, viewer_headers, admin_headers, route, data):
    headers = admin_headers if "sources" in route else viewer_headers
    padded = with_padding(data(), PADDING)

    response = client.post(
        route,
        data={"file": (io.BytesIO(padded), "users.xlsx")},
        headers=headers,
    )

    assert response.status_code == 415
    assert response.json["message"].startswith(
        "users.xlsx contains the part customXml/padding.xml"
    )
