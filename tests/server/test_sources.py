"""Importing exports: snapshots, the current Schoology users, upload checks."""

import io
import logging
import zipfile

import pytest
from sqlalchemy import func, select

from server.db import get_session
from server.models import SchoologyAccount, Snapshot, SnapshotPerson
from server.services import sources

from .conftest import EXAMPLE_ONEROSTER, EXAMPLE_SCHOOLOGY, upload

pytestmark = pytest.mark.database


def test_import_schoology_sets_current_users(app, client, admin_headers, examples_dir):
    response = client.post(
        "/api/sources/schoology",
        data={"file": upload(examples_dir / EXAMPLE_SCHOOLOGY)},
        headers=admin_headers,
    )
    snapshot = response.json

    assert response.status_code == 201
    assert snapshot["side"] == "schoology"
    assert snapshot["row_count"] == 46
    assert snapshot["files"][0]["name"] == "users.csv"
    assert snapshot["files"][0]["format"] == "schoology"
    assert snapshot["format"] == "schoology"
    assert snapshot["created_by"] == "alma.admin"
    with app.app_context():
        session = get_session()
        accounts = session.scalar(select(func.count()).select_from(SchoologyAccount))
        liam = session.get(SchoologyAccount, "104857302")
        assert accounts == 46
        assert liam.unique_id == "004512"
        assert liam.role == "student"


def test_import_sis_folder_files(client, admin_headers, examples_dir):
    files = [
        upload(p) for p in sorted((examples_dir / EXAMPLE_ONEROSTER).glob("*.csv"))
    ]
    response = client.post(
        "/api/sources/sis", data={"file": files}, headers=admin_headers
    )
    names = {entry["name"] for entry in response.json["files"]}

    assert response.status_code == 201
    assert response.json["side"] == "sis"
    assert response.json["format"] == "oneroster-1.1,oneroster-orgs"
    assert names == {"users.csv", "orgs.csv"}
    assert response.json["row_count"] == 47


def test_reimport_replaces_current_users(app, examples_dir, tmp_path):
    original = (examples_dir / EXAMPLE_SCHOOLOGY).read_text(encoding="utf-8-sig")
    lines = original.splitlines()
    shorter = tmp_path / "users.csv"
    shorter.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")
    with app.app_context():
        sources.import_schoology(examples_dir / EXAMPLE_SCHOOLOGY)
        second = sources.import_schoology(shorter)
        session = get_session()
        accounts = session.scalar(select(func.count()).select_from(SchoologyAccount))
        snapshots = session.scalar(select(func.count()).select_from(Snapshot))
        people = session.scalar(
            select(func.count())
            .select_from(SnapshotPerson)
            .where(SnapshotPerson.snapshot_id == second.id)
        )

        assert accounts == 41
        assert snapshots == 2
        assert people == 41


def test_snapshot_roundtrip_keeps_ids(app, examples_dir):
    with app.app_context():
        snapshot = sources.import_sis([examples_dir / EXAMPLE_ONEROSTER])
        export = sources.load_export(snapshot)
        local_ids = [user.local_id for user in export.users]

        assert len(export.users) == snapshot.row_count
        assert len(set(local_ids)) == len(local_ids)
        assert all(local_id[:2] in {"1_", "2_", "3_"} for local_id in local_ids)
        assert export.files == [tuple(entry) for entry in snapshot.files]


def fake_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("users.xlsx", b"First Name,Last Name\n", "is not an Excel workbook (.xlsx)"),
        ("users.xlsx", fake_xlsx(), "is not an Excel workbook (.xlsx)"),
        ("users.csv", b"PK\x03\x04binary\x00\x00", "is a binary file, not CSV text"),
        ("users.csv", b"", "users.csv is empty"),
        ("users.pdf", b"%PDF-1.7", "has the suffix '.pdf'"),
        ("users.csv", b"\xff\xfeA\x00\x00\xd8", "starts like UTF-16 text"),
    ],
)
def test_fake_upload_rejected(client, admin_headers, name, data, message):
    response = client.post(
        "/api/sources/schoology",
        data={"file": (io.BytesIO(data), name)},
        headers=admin_headers,
    )

    assert response.status_code == 415
    assert message in response.json["message"]


def multipart_body(name: str, data: bytes) -> tuple[bytes, str]:
    """Encode one file as a multipart body in memory.

    The test client spools a large encoded body to a temporary file that it
    never closes when the server rejects the request unread.
    """
    boundary = "dataprep-test-boundary"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    return head + data + tail, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (1024 * 1024, "the limit of 1 MiB (1,048,576 bytes)"),
        (1000, "the limit of 1,000 bytes"),
        (500 * 1024, "the limit of 500 KiB (512,000 bytes)"),
        (1536 * 1024, "the limit of 1.5 MiB (1,572,864 bytes)"),
    ],
)
def test_oversized_upload_rejected(app, client, admin_headers, caplog, limit, text):
    app.config["MAX_CONTENT_LENGTH"] = limit
    data = b"First Name,Last Name\n" + b"x" * limit
    body, content_type = multipart_body("users.csv", data)
    with caplog.at_level(logging.INFO, logger="server"):
        response = client.post(
            "/api/sources/schoology",
            data=body,
            content_type=content_type,
            headers=admin_headers,
        )

    assert response.status_code == 413
    assert f"The upload is larger than {text};" in response.json["message"]
    assert "0 MiB" not in response.json["message"]
    assert f"{len(body)} bytes is over the limit of {limit} bytes" in caplog.text, (
        caplog.text
    )


def test_import_without_file_rejected(client, admin_headers):
    response = client.post("/api/sources/sis", data={}, headers=admin_headers)

    assert response.status_code == 400
    assert "no file in the multipart field 'file'" in response.json["message"]


def test_bad_export_names_the_problem(client, admin_headers):
    data = b"Name,Colour\nAva,blue\n"
    response = client.post(
        "/api/sources/schoology",
        data={"file": (io.BytesIO(data), "users.csv")},
        headers=admin_headers,
    )

    assert response.status_code == 422
    assert "users.csv" in response.json["message"]


def test_viewer_cannot_import(client, viewer_headers, examples_dir):
    response = client.post(
        "/api/sources/schoology",
        data={"file": upload(examples_dir / EXAMPLE_SCHOOLOGY)},
        headers=viewer_headers,
    )

    assert response.status_code == 403


def test_list_sources_newest_first(client, admin_headers, imported):
    snapshots = client.get("/api/sources", headers=admin_headers).json["snapshots"]
    sis_only = client.get("/api/sources?side=sis", headers=admin_headers).json

    assert [s["side"] for s in snapshots] == ["sis", "schoology"]
    assert [s["side"] for s in sis_only["snapshots"]] == ["sis"]


def test_reimport_after_update_warns(
    client, admin_headers, edited_workbook, examples_dir
):
    preview = client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(edited_workbook), "edited.xlsx")},
        headers=admin_headers,
    )
    applied = client.post(
        "/api/updates",
        json={"upload_id": preview.json["upload_id"]},
        headers=admin_headers,
    )
    # The same export again: taken before Schoology imported the changes.
    reimport = client.post(
        "/api/sources/schoology",
        data={"file": upload(examples_dir / EXAMPLE_SCHOOLOGY)},
        headers=admin_headers,
    )
    undo = client.post("/api/updates/undo", headers=admin_headers)
    changed = applied.json["batch"]["change_count"]

    assert reimport.status_code == 201
    assert reimport.json["warnings"][-1].startswith(
        f"{changed} users in this export still have the Unique ID they had before "
        "update batch 1."
    )
    assert undo.status_code == 409
    assert "cannot be undone" in undo.json["message"]


def test_import_two_schoology_files_rejected(client, admin_headers, examples_dir):
    path = examples_dir / EXAMPLE_SCHOOLOGY
    response = client.post(
        "/api/sources/schoology",
        data={"file": [upload(path), upload(path, "again.csv")]},
        headers=admin_headers,
    )

    assert response.status_code == 400
    assert "has 2 files in the field 'file'; send one." in response.json["message"]


def test_import_generic_csv_with_column_map(client, admin_headers):
    data = (
        b"Person ID,Given,Family,Kind\n"
        b"00417,Ava,Thompson,student\n"
        b"T-9,Ben,Okafor,teacher\n"
    )
    response = client.post(
        "/api/sources/sis",
        data={
            "file": (io.BytesIO(data), "people.csv"),
            "sis_format": "csv",
            "column_map": "sis_key=Person ID,first_name=Given,last_name=Family,"
            "role=Kind",
        },
        headers=admin_headers,
    )

    assert response.status_code == 201, response.json
    assert response.json["row_count"] == 2


@pytest.mark.parametrize("column_map", ["sis_key", "=Person ID", "sis_key=", "a=b,,"])
def test_bad_column_map_rejected(client, admin_headers, column_map):
    response = client.post(
        "/api/sources/sis",
        data={
            "file": (io.BytesIO(b"Person ID\n1\n"), "people.csv"),
            "sis_format": "csv",
            "column_map": column_map,
        },
        headers=admin_headers,
    )

    assert response.status_code == 400
    assert "Column map item" in response.json["message"]
