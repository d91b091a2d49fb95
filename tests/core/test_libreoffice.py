"""LibreOffice Calc opens a report and exports its Mapping sheets unchanged."""

import csv
import shutil
import subprocess

import openpyxl
import pytest
from openpyxl.formula.translate import Translator

from server.core import layout
from server.core import workbook_style as style
from server.core.workbook import write_report
from tests.core.test_workbook import (
    LONG_ID,
    many_rows,
    sample_meta,
    sample_rows,
    schoology_user,
    sis_user,
)

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


# Scenario 2 rows: the Schoology role name, the Integration-Mapping ID typed,
# and whether the role prefix rule must colour the ID red.
ROLE_CASES = [
    ("Student", "1_000101", False),
    ("Student", "2_T0102", True),
    ("Teacher", "2_T0103", False),
    ("Teacher", "1_000104", True),
    ("School Admin", "2_T0105", False),
    ("Parent", "3_P0106", False),
    ("Parent Guardian", "2_T0107", True),
    ("guardian", "3_P0108", False),
    ("Student", None, False),
]


def rule_results_workbook(tmp_path):
    """Write a report with, right of its columns, its rule formulas per row.

    Each formula is the conditional-formatting rule's own, moved from row 3
    to the row it checks as Excel moves it, so LibreOffice computes what
    Excel tests before it colours that row.
    """
    rows = [
        layout.ReportRow(
            scenario=2, schoology=schoology_user(index, role_name=role), mapping_id=""
        )
        for index, (role, _id, _red) in enumerate(ROLE_CASES)
    ]
    rows.append(layout.ReportRow(scenario=3, sis=sis_user(99)))
    path = tmp_path / "rules.xlsx"
    write_report(path, rows, sample_meta(counts={}))

    workbook = openpyxl.load_workbook(path)
    mapping = workbook[layout.MAPPING_SHEET]
    for index, (_role, mapping_id, _red) in enumerate(ROLE_CASES):
        mapping[f"{style.MAPPING_ID_LETTER}{index + 3}"] = mapping_id
    # The scenario 3 row carries an ID too, which the role rule must leave alone.
    mapping[f"{style.MAPPING_ID_LETTER}{len(ROLE_CASES) + 3}"] = "2_T0199"

    formulas = [
        style.role_mismatch_formula(),
        *(style.scenario_formula(scenario) for scenario in (1, 2, 3)),
    ]
    first_column = len(layout.COLUMNS) + 2
    for row in range(3, len(rows) + 3):
        for offset, formula in enumerate(formulas):
            moved = Translator(f"={formula}", origin="A3").translate_formula(f"A{row}")
            mapping.cell(row, first_column + offset, moved)
    workbook.save(path)

    return path


def test_rule_formulas_evaluate(tmp_path):
    path = rule_results_workbook(tmp_path)
    first = len(layout.COLUMNS) + 1

    values = export_csv(tmp_path, path, 1, layout.MAPPING_SHEET)
    results = [row[first : first + 4] for row in values[2:]]

    for (role, mapping_id, red), result in zip(ROLE_CASES, results, strict=False):
        assert result[0] == ("TRUE" if red else "FALSE"), (role, mapping_id)
        assert result[1:] == ["FALSE", "TRUE", "FALSE"], (role, mapping_id)
    assert results[len(ROLE_CASES)] == ["FALSE", "FALSE", "FALSE", "TRUE"]
