import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from server.core import layout, templates
from server.core import workbook_style as style

COMMITTED = Path(__file__).resolve().parents[2] / "templates_xlsx"


@pytest.mark.parametrize("name", sorted(templates.TEMPLATES))
def test_committed_templates_current(tmp_path, name):
    templates.write_templates(tmp_path)

    assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes()


@pytest.mark.parametrize("name", sorted(templates.TEMPLATES))
def test_templates_reproducible(name):
    build = templates.TEMPLATES[name]
    first = templates.make_reproducible(build())
    second = templates.make_reproducible(build())

    assert first == second


@pytest.mark.parametrize("name", sorted(templates.TEMPLATES))
def test_zip_entry_dates_fixed(name):
    with zipfile.ZipFile(COMMITTED / name) as archive:
        dates = {entry.date_time for entry in archive.infolist()}

    assert dates == {(2026, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("name", sorted(templates.TEMPLATES))
def test_document_times_fixed(name):
    properties = openpyxl.load_workbook(COMMITTED / name).properties

    assert properties.created == templates.FIXED_TIME
    assert properties.modified == templates.FIXED_TIME


def load(name: str):
    return openpyxl.load_workbook(io.BytesIO((COMMITTED / name).read_bytes()))


def test_report_template_sheets():
    book = load(templates.REPORT_TEMPLATE)

    assert book.sheetnames == [
        "Mapping",
        "Summary",
        "Suggestions",
        "SIS Users",
        layout.META_SHEET,
    ]
    assert book[layout.META_SHEET].sheet_state == "veryHidden"


def test_report_template_mapping_sheet():
    ws = load(templates.REPORT_TEMPLATE)["Mapping"]
    validation = ws.data_validations.dataValidation[0]
    rule_types = {rule.type for cf in ws.conditional_formatting for rule in cf.rules}

    assert [cell.value for cell in ws[2]] == list(layout.COLUMN_NAMES)
    assert ws.max_row == layout.HEADER_ROWS
    assert ws.protection.sheet is True
    assert ws.protection.autoFilter is False
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions[style.MAPPING_ID_LETTER].protection.locked is False
    assert validation.type == "list"
    assert str(validation.sqref) == style.mapping_id_range()
    assert rule_types == {"duplicateValues", "expression", "beginsWith", "colorScale"}


def test_report_template_summary_layout():
    ws = load(templates.REPORT_TEMPLATE)["Summary"]
    summary = style.SUMMARY_LAYOUT

    assert ws.cell(summary.facts_row, 1).value == "Report ID"
    assert ws.cell(summary.facts_row, 2).value is None
    assert ws.cell(summary.counts_header_row, 1).value == "Scenario"
    assert ws.cell(summary.total_row, 3).value == 0
    assert len(ws._charts) == 1


def test_report_template_has_no_report_id():
    rows = list(load(templates.REPORT_TEMPLATE)[layout.META_SHEET].values)

    assert rows[0] == ("report_id", None)


def test_schoology_template_columns():
    ws = load(templates.SCHOOLOGY_TEMPLATE)["Users"]
    names = [cell.value for cell in ws[1]]

    assert names[0] == "Schoology User ID"
    assert names == [column.name for column in style.SCHOOLOGY_TEMPLATE_COLUMNS]
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("letter", ["A", "G"])
def test_schoology_template_id_columns_text(letter):
    ws = load(templates.SCHOOLOGY_TEMPLATE)["Users"]

    assert ws.column_dimensions[letter].number_format == "@"


def test_sis_template_columns():
    ws = load(templates.SIS_TEMPLATE)["Users"]

    assert [cell.value for cell in ws[1]] == [
        "SIS Key",
        "Number",
        "First Name",
        "Middle Name",
        "Last Name",
        "Username",
        "Email",
        "Role",
        "School",
        "Grade",
    ]


@pytest.mark.parametrize("letter", ["A", "B"])
def test_sis_template_id_columns_text(letter):
    ws = load(templates.SIS_TEMPLATE)["Users"]

    assert ws.column_dimensions[letter].number_format == "@"


def test_sis_template_role_list():
    validation = load(templates.SIS_TEMPLATE)["Users"].data_validations.dataValidation[
        0
    ]

    assert validation.type == "list"
    assert (
        validation.formula1
        == '"student,teacher,staff,administrator,aide,parent,guardian"'
    )
    assert str(validation.sqref) == f"H2:H{layout.EXCEL_MAX_ROWS}"
    assert validation.errorStyle == "stop"


def test_main_writes_templates(tmp_path, capsys):
    status = templates.main([str(tmp_path)])

    assert status == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        templates.TEMPLATES
    )
    assert str(tmp_path / templates.REPORT_TEMPLATE) in capsys.readouterr().out


def test_main_usage_error(capsys):
    status = templates.main([])

    assert status == 2
    assert "usage" in capsys.readouterr().err
