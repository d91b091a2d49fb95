"""Reading reports back: file checks, the meta sheet, headers, rows and values."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from python_calamine import CalamineError, CalamineWorkbook

from server.core import layout
from server.core.errors import WorkbookError
from server.core.readback import (
    column_letter,
    read_report,
    report_from_values,
    rows_from_values,
)
from server.core.validate import StoredReport, validate
from server.core.workbook import ReportMeta, write_report
from tests.core.test_validate import (
    REPORT_ID,
    make_context,
    sample_rows,
    write_sample,
)


@pytest.fixture
def report_path(tmp_path):
    path = tmp_path / "report.xlsx"
    write_sample(path)

    return path


def sheet_values(path) -> dict[str, list[list]]:
    """Read every sheet from A1 down, as the add-in's payload carries them."""
    with CalamineWorkbook.from_path(str(path)) as workbook:
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)

    return buffer.getvalue()


RELATIONSHIP_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
)
SHEET_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"


def with_unreadable_sheet(data: bytes, sheet: str) -> bytes:
    """Replace one sheet's XML part of a workbook with bytes that are not XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(
            archive.read("xl/_rels/workbook.xml.rels")
        )
        parts = {info: archive.read(info) for info in archive.infolist()}

    sheet_id = next(
        element.get(RELATIONSHIP_ID)
        for element in workbook.iter(SHEET_TAG)
        if element.get("name") == sheet
    )
    target = next(
        element.get("Target")
        for element in relationships
        if element.get("Id") == sheet_id
    )
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in parts.items():
            if info.filename == part:
                content = b"<worksheet garbage, not XML"
            archive.writestr(info, content)

    return buffer.getvalue()


def test_read_report_meta_and_rows(report_path):
    report = read_report(report_path)

    assert report.report_id == REPORT_ID
    assert report.format_version == layout.FORMAT_VERSION
    assert report.sheets == [layout.MAPPING_SHEET]
    assert report.name == "report.xlsx"
    assert len(report.rows) == len(sample_rows())
    assert report.rows[0].row == layout.HEADER_ROWS + 1
    assert report.rows[-1].row == layout.HEADER_ROWS + len(sample_rows())


def test_read_report_keeps_leading_zeros(report_path):
    report = read_report(report_path)
    first = report.rows[0].values

    assert first[layout.SCHOOLOGY_ID] == "1001"
    assert first[layout.SIS_LOCAL_ID] == "1_004512"
    assert first[layout.COLUMN_INDEX["SIS Number"]] == "004512"
    assert first[layout.MAPPING_ID] == "1_004512"


def test_read_report_digest_matches_content(report_path):
    report = read_report(report_path)
    digest = layout.ContentDigest()
    for row in report.rows:
        digest.add(row.values)

    assert digest.hexdigest() == report.digest


def test_read_report_accepts_bytes_and_file(report_path):
    data = report_path.read_bytes()

    from_bytes = read_report(data, name="upload.xlsx")
    from_file = read_report(io.BytesIO(data))

    assert from_bytes.name == "upload.xlsx"
    assert from_file.name == "the uploaded workbook"
    assert from_bytes.source_digest == from_file.source_digest
    assert [r.values for r in from_bytes.rows] == [r.values for r in from_file.rows]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"Schoology User ID,Unique ID\n1001,\n", "is not an Excel workbook (.xlsx)"),
        (b"", "is not an Excel workbook (.xlsx)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
            "is an Excel 97-2003 workbook (.xls) or a workbook with a password",
        ),
        (b"PK\x03\x04 broken zip", "is a ZIP file but not an Excel workbook"),
        (zip_bytes({"readme.txt": "hello"}), "is a ZIP file but not an Excel"),
        (
            zip_bytes(
                {
                    "[Content_Types].xml": (
                        '<Types><Override ContentType="application/vnd.'
                        "openxmlformats-officedocument.wordprocessingml.document."
                        'main+xml"/></Types>'
                    )
                }
            ),
            "is an Office file but not an Excel workbook (.xlsx)",
        ),
    ],
)
def test_not_xlsx_rejected(data, expected):
    with pytest.raises(WorkbookError) as raised:
        read_report(data, name="upload.xlsx")

    assert raised.value.message.startswith("upload.xlsx ")
    assert expected in raised.value.message


def test_workbook_without_meta_rejected(tmp_path):
    path = tmp_path / "mine.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = layout.MAPPING_SHEET
    workbook.active.append(["Schoology User ID"])
    workbook.save(path)

    with pytest.raises(WorkbookError) as raised:
        read_report(path)

    assert raised.value.message == (
        "mine.xlsx: this workbook is not a user mapping report generated by SIS "
        "Data Prep; generate one from the Data Prep page."
    )


def test_unknown_format_version_rejected(report_path):
    workbook = openpyxl.load_workbook(report_path)
    ws = workbook[layout.META_SHEET]
    for row in ws.iter_rows():
        if row[0].value == "format_version":
            row[1].value = "99"
    workbook.save(report_path)

    with pytest.raises(WorkbookError) as raised:
        read_report(report_path)

    assert "report rpt-0001 in format version '99'" in raised.value.message
    assert "reads format version 1" in raised.value.message


def test_missing_mapping_sheet_rejected(report_path):
    workbook = openpyxl.load_workbook(report_path)
    workbook[layout.MAPPING_SHEET].title = "My edits"
    workbook.save(report_path)

    with pytest.raises(WorkbookError) as raised:
        read_report(report_path)

    assert "has no sheet named 'Mapping', which report rpt-0001 needs" in (
        raised.value.message
    )


def test_missing_header_rejected(report_path):
    workbook = openpyxl.load_workbook(report_path)
    workbook[layout.MAPPING_SHEET]["L2"] = "Local"
    workbook.save(report_path)

    with pytest.raises(WorkbookError) as raised:
        read_report(report_path)

    assert raised.value.message.startswith(
        "report.xlsx: sheet 'Mapping' has no column 'SIS Local ID' in row 2."
    )


def test_repeated_header_rejected(report_path):
    workbook = openpyxl.load_workbook(report_path)
    workbook[layout.MAPPING_SHEET]["AD2"] = "SIS Local ID"
    workbook.save(report_path)

    with pytest.raises(WorkbookError) as raised:
        read_report(report_path)

    assert raised.value.message.startswith(
        "report.xlsx, Mapping!AD2: the column 'SIS Local ID' appears twice (also at "
        "Mapping!L2)."
    )


def test_moved_columns_read_in_layout_order(report_path):
    original = read_report(report_path)
    workbook = openpyxl.load_workbook(report_path)
    ws = workbook[layout.MAPPING_SHEET]
    # Swap the Schoology User ID and Integration-Mapping ID columns.
    mapping = layout.MAPPING_ID + 1
    for row in range(2, ws.max_row + 1):
        left, right = ws.cell(row, 1), ws.cell(row, mapping)
        left.value, right.value = right.value, left.value
    workbook.save(report_path)

    moved = read_report(report_path)

    assert [r.values for r in moved.rows] == [r.values for r in original.rows]
    assert moved.cell("Mapping", 3, layout.MAPPING_ID) == "Mapping!A3"
    assert moved.cell("Mapping", 3, layout.SCHOOLOGY_ID) == "Mapping!W3"


def test_extra_column_ignored_with_warning(report_path):
    workbook = openpyxl.load_workbook(report_path)
    ws = workbook[layout.MAPPING_SHEET]
    ws["AE2"] = "My notes"
    ws["AE3"] = "call the school"
    workbook.save(report_path)

    report = read_report(report_path)

    assert report.warnings == [
        "Mapping!AE2: the column 'My notes' is not part of the report and was ignored."
    ]
    assert len(report.rows[0].values) == len(layout.COLUMNS)


def test_empty_band_row_keeps_row_numbers(report_path):
    workbook = openpyxl.load_workbook(report_path)
    ws = workbook[layout.MAPPING_SHEET]
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))
    for cell in ws[1]:
        cell.value = None
    workbook.save(report_path)

    report = read_report(report_path)

    assert report.rows[0].row == layout.HEADER_ROWS + 1
    assert report.rows[0].values[layout.SCHOOLOGY_ID] == "1001"


def test_trailing_empty_rows_skipped(report_path):
    workbook = openpyxl.load_workbook(report_path)
    ws = workbook[layout.MAPPING_SHEET]
    ws.cell(ws.max_row + 5, 1).value = ""
    workbook.save(report_path)

    assert len(read_report(report_path).rows) == len(sample_rows())


def test_rows_from_values_matches_file(report_path):
    values = sheet_values(report_path)[layout.MAPPING_SHEET]

    rows = rows_from_values(layout.MAPPING_SHEET, values)

    expected = read_report(report_path).rows
    assert [(r.sheet, r.row) for r in rows] == [(r.sheet, r.row) for r in expected]
    assert [r.values for r in rows] == [r.values for r in expected]


def test_rows_from_values_offset_range():
    header = list(layout.COLUMN_NAMES)
    data = ["1001"] + [None] * (len(header) - 1)

    rows = rows_from_values("Mapping", [header, data], first_row=2)

    assert rows[0].row == 3
    assert rows[0].values[layout.SCHOOLOGY_ID] == "1001"


def test_rows_from_values_without_header_rejected():
    with pytest.raises(WorkbookError) as raised:
        rows_from_values("Mapping", [["Schoology"], ["1001"]])

    assert "has no column 'Schoology User ID' in row 2" in raised.value.message


def test_report_from_values_matches_file(report_path):
    from_file = read_report(report_path)

    from_values = report_from_values(sheet_values(report_path), name="Book1")

    assert from_values.report_id == from_file.report_id
    assert from_values.digest == from_file.digest
    assert from_values.data is None
    assert [r.values for r in from_values.rows] == [r.values for r in from_file.rows]


def test_report_from_values_digest_follows_values(report_path):
    sheets = sheet_values(report_path)
    before = report_from_values(sheets).source_digest
    sheets[layout.MAPPING_SHEET][3][layout.MAPPING_ID] = "1_S88213"

    after = report_from_values(sheets).source_digest

    assert before != after


def test_report_from_values_without_meta_rejected(report_path):
    sheets = sheet_values(report_path)
    del sheets[layout.META_SHEET]

    with pytest.raises(WorkbookError) as raised:
        report_from_values(sheets, name="Book1")

    assert raised.value.message.startswith("Book1: this workbook is not a user")


def reject_meta(seen: list[dict[str, str]]):
    """Build a ``check_meta`` callback that records the meta sheet and rejects it."""

    def check_meta(meta: dict[str, str]) -> None:
        seen.append(meta)
        raise WorkbookError("rejected by check_meta")

    return check_meta


def test_check_meta_before_mapping_read(report_path):
    data = with_unreadable_sheet(report_path.read_bytes(), layout.MAPPING_SHEET)
    seen = []

    with pytest.raises(WorkbookError, match="rejected by check_meta"):
        read_report(data, check_meta=reject_meta(seen))

    assert len(seen) == 1
    assert seen[0]["report_id"] == REPORT_ID
    # Without the callback the Mapping sheet is read, and its bytes fail.
    with pytest.raises((CalamineError, WorkbookError)):
        read_report(data)


def test_check_meta_before_mapping_values(report_path):
    sheets = sheet_values(report_path)
    sheets[layout.MAPPING_SHEET] = [["garbage"]]
    seen = []

    with pytest.raises(WorkbookError, match="rejected by check_meta"):
        report_from_values(sheets, check_meta=reject_meta(seen))

    assert len(seen) == 1
    assert seen[0]["report_id"] == REPORT_ID
    with pytest.raises(WorkbookError, match="has no column"):
        report_from_values(sheets)


@pytest.mark.parametrize(
    ("position", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ")]
)
def test_column_letter(position, letters):
    assert column_letter(position) == letters


def test_rows_read_from_every_mapping_sheet(tmp_path):
    path = tmp_path / "split.xlsx"
    meta = ReportMeta(REPORT_ID, "2026-12-04T09:00:00Z", ["email"])
    write_report(path, sample_rows(), meta, max_data_rows=4)

    report = read_report(path)

    assert report.sheets == ["Mapping", "Mapping 2", "Mapping 3"]
    assert len(report.rows) == len(sample_rows())
    assert (report.rows[4].sheet, report.rows[4].row) == ("Mapping 2", 3)
    assert report.cell("Mapping 2", 3, layout.MAPPING_ID) == "'Mapping 2'!W3"


def test_split_report_validates(tmp_path):
    path = tmp_path / "split.xlsx"
    meta = ReportMeta(REPORT_ID, "2026-12-04T09:00:00Z", ["email"])
    info = write_report(path, sample_rows(), meta, max_data_rows=4)
    values = [layout.row_values(row) for row in sample_rows()]
    stored = StoredReport(
        REPORT_ID, info.digest, {layout.row_key(v): v for v in values}
    )

    result = validate(read_report(path), make_context(stored))

    assert result.totals["ok"] == len(sample_rows())


def test_damaged_mapping_sheet_named(report_path):
    data = with_unreadable_sheet(report_path.read_bytes(), layout.MAPPING_SHEET)

    with pytest.raises(WorkbookError) as raised:
        read_report(data, name="report.xlsx")

    assert raised.value.message == (
        f"report.xlsx: a Mapping sheet of report {REPORT_ID} is damaged and cannot "
        "be read. Download the report again, and make the edits again."
    )
