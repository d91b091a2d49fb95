"""LibreOffice Calc opens a report and exports its Mapping sheets unchanged."""

import csv
import shutil
import subprocess

import openpyxl
import pytest

from server.core import layout
from server.core import workbook_style as style
from server.core.workbook import write_report
from tests.core.test_workbook import LONG_ID, many_rows, sample_meta, sample_rows

pytestmark = pytest.mark.libreoffice

# CSV filter options: comma, double quote, UTF-8, from line 1, no column
# formats, the default language, then quoted text off, detect special numbers on, save
# cell contents as shown, export formulas off, remove spaces off, and the
# 12th token picks the sheet to export (1-based).
CSV_FILTER = (
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet}"
)
TIMEOUT_SECONDS = 120


def export_csv(
    tmp_path, workbook, sheet_number: int, sheet_name: str
) -> list[list[str]]:
    """Convert one sheet of ``workbook`` to CSV with headless LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")

    profile = tmp_path / "lo-profile"
    out = tmp_path / "csv"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            CSV_FILTER.format(sheet=sheet_number),
            "--outdir",
            str(out),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
    )
    with open(
        out / f"{workbook.stem}-{sheet_name}.csv", newline="", encoding="utf-8"
    ) as f:
        return list(csv.reader(f))


def round_trip(tmp_path, workbook):
    """Open ``workbook`` in headless LibreOffice and save it again as xlsx."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")

    out = tmp_path / "saved"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
    )

    return openpyxl.load_workbook(out / workbook.name)


def expected_text(rows) -> list[list[str]]:
    return [
        [layout.cell_text(value) for value in layout.row_values(row)] for row in rows
    ]


def test_mapping_sheet_values(tmp_path):
    workbook = tmp_path / "report.xlsx"
    rows = sample_rows()
    write_report(workbook, rows, sample_meta())

    exported = export_csv(tmp_path, workbook, 1, "Mapping")

    assert exported[1] == list(layout.COLUMN_NAMES)
    assert exported[layout.HEADER_ROWS :] == expected_text(rows)


def test_ids_keep_zeros_and_digits(tmp_path):
    workbook = tmp_path / "report.xlsx"
    write_report(workbook, sample_rows(), sample_meta())

    exported = export_csv(tmp_path, workbook, 1, "Mapping")

    assert exported[2][layout.SIS_LOCAL_ID] == "1_004512"
    assert exported[2][layout.COLUMN_INDEX["SIS Number"]] == "004512"
    assert exported[2][layout.COLUMN_INDEX["User Unique ID"]] == "000001"
    assert exported[3][layout.COLUMN_INDEX["SIS Number"]] == LONG_ID


def test_formula_text_not_evaluated(tmp_path):
    workbook = tmp_path / "report.xlsx"
    write_report(workbook, sample_rows(), sample_meta())

    exported = export_csv(tmp_path, workbook, 1, "Mapping")

    assert exported[4][layout.COLUMN_INDEX["First Name"]] == "=1+1"
    assert exported[4][layout.COLUMN_INDEX["Last Name"]] == "#N/A"


def test_second_mapping_sheet_values(tmp_path):
    workbook = tmp_path / "split.xlsx"
    rows = many_rows(5)
    write_report(workbook, rows, sample_meta(), max_data_rows=3)

    exported = export_csv(tmp_path, workbook, 2, "Mapping 2")

    assert exported[1] == list(layout.COLUMN_NAMES)
    assert exported[layout.HEADER_ROWS :] == expected_text(rows[3:])


def test_rules_survive_round_trip(tmp_path):
    workbook = tmp_path / "report.xlsx"
    write_report(workbook, sample_rows(), sample_meta())

    ws = round_trip(tmp_path, workbook)["Mapping"]
    formulas = [
        rule.formula[0]
        for formatting in ws.conditional_formatting
        for rule in formatting.rules
        if rule.type == "expression"
    ]
    rule_types = {
        rule.type
        for formatting in ws.conditional_formatting
        for rule in formatting.rules
    }

    assert style.role_mismatch_formula() in formulas
    assert style.scenario_formula(1) in formulas
    assert rule_types == {"duplicateValues", "expression", "beginsWith", "colorScale"}


def test_protection_survives_round_trip(tmp_path):
    workbook = tmp_path / "report.xlsx"
    write_report(workbook, sample_rows(), sample_meta())

    ws = round_trip(tmp_path, workbook)["Mapping"]
    validation = ws.data_validations.dataValidation[0]

    assert ws.protection.sheet is True
    assert ws.protection.autoFilter is False
    assert ws.protection.sort is False
    assert validation.formula1 == "'SIS Users'!$A$2:$A$4"
    assert ws[f"{style.MAPPING_ID_LETTER}3"].protection.locked is False
