import io
import zipfile

import openpyxl
import pytest

from server.core import layout
from server.core.errors import ExportError, WorkbookError
from server.core.readback import read_report
from server.core.readers import read_schoology
from server.core.workbook import ReportMeta, write_report
from server.core.xlsx import (
    MIB,
    _formula_tag_in,
    package_problem,
    sheet_parts,
    size_text,
    unsaved_formulas,
)

SCHOOLOGY_HEADER = [
    "First Name",
    "Last Name",
    "Role",
    "User Unique ID",
    "Schoology User ID",
]


def zip_of(parts: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def with_padding(data: bytes, size: int) -> bytes:
    """Copy an .xlsx file and add a part of ``size`` spaces, which inflates far."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("customXml/padding.xml", b" " * size)

    return buffer.getvalue()


def report_bytes() -> bytes:
    buffer = io.BytesIO()
    meta = ReportMeta(report_id="rpt-xlsx", generated_at="2026-12-04T09:00:00+00:00")
    write_report(buffer, [], meta)

    return buffer.getvalue()


def schoology_workbook(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Users"
    sheet.append(SCHOOLOGY_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    return buffer.getvalue()


def test_report_package_passes():
    with zipfile.ZipFile(io.BytesIO(report_bytes())) as archive:
        assert package_problem(archive) is None


def test_part_inflating_far_rejected():
    archive = zip_of({"xl/worksheets/sheet1.xml": b"\0" * (5 * MIB)})

    problem = package_problem(archive)

    assert problem is not None
    assert "xl/worksheets/sheet1.xml" in problem
    assert "to 5.0 MiB" in problem
    assert "No export of names and IDs compresses that far" in problem


def test_small_part_any_ratio_passes():
    archive = zip_of({"xl/sharedStrings.xml": b"\0" * (MIB // 2)})

    assert package_problem(archive) is None


def test_package_over_limit_rejected():
    archive = zip_of({"xl/worksheets/sheet1.xml": bytes(range(256)) * 4096})

    problem = package_problem(archive, max_unpacked=MIB // 2)

    assert problem == (
        "unpacks to 1.0 MiB, more than the limit of 512.0 KiB, so the file was "
        "not read. Split the data into smaller files, or export it as CSV."
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 bytes"), (1536, "1.5 KiB"), (3 * MIB, "3.0 MiB"), (5 << 30, "5.0 GiB")],
)
def test_size_text_units(size, text):
    assert size_text(size) == text


def test_read_report_rejects_padded_package():
    data = with_padding(report_bytes(), 8 * MIB)

    with pytest.raises(WorkbookError) as raised:
        read_report(data, name="report.xlsx")

    assert str(raised.value).startswith(
        "report.xlsx contains the part customXml/padding.xml"
    )


def test_export_rejects_padded_package(tmp_path):
    path = tmp_path / "users.xlsx"
    path.write_bytes(with_padding(schoology_workbook([]), 8 * MIB))

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert "users.xlsx contains the part customXml/padding.xml" in str(raised.value)


def test_sheet_parts_in_workbook_order():
    with zipfile.ZipFile(io.BytesIO(report_bytes())) as archive:
        parts = sheet_parts(archive)

    assert list(parts)[:2] == [layout.MAPPING_SHEET, layout.SUMMARY_SHEET]
    assert parts[layout.MAPPING_SHEET] == "xl/worksheets/sheet1.xml"


def test_unsaved_formulas_found():
    data = schoology_workbook(
        [["Ava", "Thompson", "Student", '="1_S"&"88213"', "104857301"]]
    )

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        found = unsaved_formulas(archive, ["Users"])

    assert found == {"Users": {(2, 3): '"1_S"&"88213"'}}


def test_report_has_no_formulas():
    with zipfile.ZipFile(io.BytesIO(report_bytes())) as archive:
        assert unsaved_formulas(archive, [layout.MAPPING_SHEET]) == {}


def test_export_unsaved_formula_rejected(tmp_path):
    path = tmp_path / "users.xlsx"
    path.write_bytes(
        schoology_workbook(
            [
                ["Ava", "Thompson", "Student", '="1_S"&"88213"', "104857301"],
                ["Ben", "Okafor", "Student", '="1_S"&"88214"', "104857302"],
            ]
        )
    )

    with pytest.raises(ExportError) as raised:
        read_schoology(path)

    assert str(raised.value) == (
        "users.xlsx, sheet 'Users', cell D2: the cell contains the formula "
        '="1_S"&"88213" but no saved value (1 more cell is like it), so the '
        "value cannot be read. Open the file in Excel and save it, or export the "
        "data as CSV."
    )


@pytest.mark.parametrize(
    ("xml", "found"),
    [
        (b'<c r="W3"><f>"1_"&amp;"S1"</f></c>', True),
        (b'<c r="W3"><f t="shared" ref="W3:W9" si="0"/></c>', True),
        (b'<c r="W4"><f t="shared" si="0"/></c>', True),
        (b'<x:c r="W3"><x:f>A1</x:f></x:c>', True),
        (b'<c r="A3" t="inlineStr"><is><t>fern</t></is></c>', False),
        (b"<cfRule><formula>LEFT($W3,2)</formula></cfRule>", False),
        (b'<c r="A3" t="s"><v>12</v></c>', False),
    ],
)
def test_formula_tag_search(xml, found):
    assert _formula_tag_in(xml) is found
