import io
import os

import openpyxl
import pytest
from openpyxl.chart import BarChart
from python_calamine import CalamineWorkbook

from server.core import layout
from server.core import workbook_style as style
from server.core.errors import ExportError
from server.core.model import Role, SchoologyUser, SisUser
from server.core.workbook import META_KEYS, ReportMeta, write_report, write_values

ID_COLUMNS = [index for index, column in enumerate(layout.COLUMNS) if column.is_id]
LONG_ID = "12345678901234567"


def letter(name: str) -> str:
    return style.column_letter(layout.COLUMN_INDEX[name])


def schoology_user(index: int, **changes) -> SchoologyUser:
    values = dict(
        line=index + 1,
        schoology_id=f"{41000 + index}",
        unique_id=f"00{index:04d}",
        first_name="Maren",
        middle_name="",
        last_name=f"Quillfeather{index}",
        username=f"mquill{index}",
        email=f"mquill{index}@district.example",
        role=Role.STUDENT,
        role_name="Student",
        school="Alder Creek Middle",
        grad_year="2031",
    )
    values.update(changes)

    return SchoologyUser(**values)


def sis_user(index: int, **changes) -> SisUser:
    values = dict(
        line=index + 1,
        source="users.csv",
        local_id=f"1_{index:06d}",
        sis_key=f"{index:06d}",
        number=f"{index:06d}",
        first_name="Maren",
        middle_name="",
        last_name=f"Quillfeather{index}",
        username=f"mquill{index}",
        email=f"mquill{index}@district.example",
        role=Role.STUDENT,
        role_name="student",
        school="Alder Creek Middle",
        grade="7",
    )
    values.update(changes)

    return SisUser(**values)


def matched_row(index: int, **sis_changes) -> layout.ReportRow:
    schoology = schoology_user(index)
    sis = sis_user(index, **sis_changes)

    return layout.ReportRow(
        scenario=1,
        schoology=schoology,
        sis=sis,
        mapping_id=sis.local_id,
        matched_by="email",
        schoology_value=schoology.email,
        sis_value=sis.email,
    )


def sample_rows() -> list[layout.ReportRow]:
    """Build rows of all three scenarios, with IDs that spreadsheets tend to damage."""
    leading_zero = matched_row(1, local_id="1_004512", number="004512")
    long_number = matched_row(2, local_id=f"1_{LONG_ID}", number=LONG_ID)
    unmatched = layout.ReportRow(
        scenario=2,
        schoology=schoology_user(3, first_name="=1+1", last_name="#N/A"),
        note="No SIS user has this email.",
        suggestions=[
            layout.Suggestion("1_000077", 91, "Same first and last name"),
            layout.Suggestion("1_000078", 64, "Same last name"),
            layout.Suggestion("1_000079", 40, "Similar username"),
        ],
    )
    sis_only = layout.ReportRow(scenario=3, sis=sis_user(4, local_id="2_000004"))

    return [leading_zero, long_number, unmatched, sis_only]


def sample_meta(**changes) -> ReportMeta:
    values = dict(
        report_id="rpt-0001",
        generated_at="2026-12-04T09:00:00+00:00",
        mapping_options=["email", "username"],
        sources=[
            ("schoology", "schoology-users.csv", "schoology", 3),
            ("sis", "users.csv", "oneroster", 3),
        ],
        counts={1: 2, 2: 1, 3: 1},
        warnings=["users.csv line 9: no email."],
    )
    values.update(changes)

    return ReportMeta(**values)


@pytest.fixture
def report_path(tmp_path):
    path = tmp_path / "report.xlsx"
    write_report(path, sample_rows(), sample_meta())

    return path


@pytest.fixture
def book(report_path):
    return openpyxl.load_workbook(report_path)


def test_write_report_sheet_order(book):
    assert book.sheetnames == [
        "Mapping",
        "Summary",
        "Suggestions",
        "SIS Users",
        "_dataprep",
    ]


def test_write_report_info(tmp_path):
    info = write_report(tmp_path / "r.xlsx", sample_rows(), sample_meta())

    assert info.rows == 4
    assert info.mapping_sheets == ["Mapping"]
    assert info.sheet_names[0] == "Mapping"
    assert len(info.digest) == 64


def test_mapping_protection_flags(book):
    protection = book["Mapping"].protection

    assert protection.sheet is True
    assert protection.autoFilter is False
    assert protection.sort is False
    assert protection.formatColumns is False
    assert protection.formatCells is True
    assert protection.insertRows is True
    assert protection.deleteRows is True


@pytest.mark.parametrize("sheet", ["Summary", "Suggestions", "SIS Users", "_dataprep"])
def test_side_sheets_protected(book, sheet):
    assert book[sheet].protection.sheet is True


def test_data_cells_locked(book):
    ws = book["Mapping"]

    assert ws["A3"].protection.locked is True
    assert ws["B3"].protection.locked is True
    assert ws[f"{letter('SIS Local ID')}3"].protection.locked is True


def test_mapping_id_cells_unlocked(book):
    ws = book["Mapping"]
    column = style.MAPPING_ID_LETTER

    assert ws[f"{column}3"].value == "1_004512"
    assert ws[f"{column}3"].protection.locked is False
    assert ws[f"{column}4"].protection.locked is False


def test_empty_mapping_id_cells_unlocked(book):
    dimension = book["Mapping"].column_dimensions[style.MAPPING_ID_LETTER]

    assert dimension.protection.locked is False
    assert dimension.number_format == "@"


def test_other_columns_locked(book):
    dimensions = book["Mapping"].column_dimensions

    assert dimensions["A"].protection.locked is True
    assert dimensions[style.STATUS_LETTER].protection.locked is True


@pytest.mark.parametrize("index", ID_COLUMNS)
def test_id_columns_text_format(book, index):
    dimension = book["Mapping"].column_dimensions[style.column_letter(index)]

    assert dimension.number_format == "@"


def test_mapping_id_cells_text_format(book):
    ws = book["Mapping"]
    id_columns = [i for i, column in enumerate(layout.COLUMNS) if column.is_id]
    checked = 0
    for row in ws.iter_rows(min_row=layout.HEADER_ROWS + 1):
        for index in id_columns:
            cell = row[index]
            if cell.value is None:
                continue

            assert cell.number_format == "@", cell.coordinate
            assert cell.data_type == "s", cell.coordinate
            checked += 1

    # Rows 3 and 4 fill five ID cells each, row 5 three and row 6 two.
    assert checked == 15


@pytest.mark.parametrize(
    ("sheet", "columns"),
    [("SIS Users", [0]), ("Suggestions", sorted(style.ALTERNATES_ID_COLUMNS))],
)
def test_side_sheet_id_cells_text_format(book, sheet, columns):
    rows = list(book[sheet].iter_rows(min_row=2))

    assert rows
    for row in rows:
        for index in columns:
            assert row[index].number_format == "@", row[index].coordinate


def test_other_cells_general_format(book):
    ws = book["Mapping"]

    assert ws[f"{letter('First Name')}3"].number_format == "General"
    assert ws[f"{letter('Scenario')}3"].number_format == "General"


def test_mapping_id_cell_text_format(book):
    assert book["Mapping"][f"{style.MAPPING_ID_LETTER}3"].number_format == "@"


def test_ids_keep_leading_zeros(book):
    ws = book["Mapping"]
    local_id = ws[f"{letter('SIS Local ID')}3"]
    unique_id = ws[f"{letter('User Unique ID')}3"]

    assert local_id.value == "1_004512"
    assert local_id.data_type == "s"
    assert ws[f"{letter('SIS Number')}3"].value == "004512"
    assert unique_id.value == "000001"
    assert unique_id.data_type == "s"


def test_long_ids_keep_every_digit(book):
    ws = book["Mapping"]
    number = ws[f"{letter('SIS Number')}4"]

    assert number.value == LONG_ID
    assert number.data_type == "s"
    assert ws[f"{style.MAPPING_ID_LETTER}4"].value == f"1_{LONG_ID}"


def test_formula_text_stays_string(book):
    cell = book["Mapping"][f"{letter('First Name')}5"]

    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_error_code_text_stays_string(book):
    cell = book["Mapping"][f"{letter('Last Name')}5"]

    assert cell.value == "#N/A"
    assert cell.data_type == "s"


def test_scenario_sides_filled(book):
    ws = book["Mapping"]
    sis_first = layout.SIS_LOCAL_ID + 1
    schoology_last = len(layout.SCHOOLOGY_COLUMNS)

    assert ws.cell(3, layout.SIS_LOCAL_ID + 1).value == "1_004512"
    assert ws.cell(5, sis_first).value is None
    assert ws.cell(5, layout.MAPPING_ID + 1).value is None
    assert ws.cell(6, 1).value is None
    assert ws.cell(6, schoology_last).value is None
    assert ws.cell(6, layout.SIS_LOCAL_ID + 1).value == "2_000004"


def test_frozen_panes(book):
    assert book["Mapping"].freeze_panes == "B3"


def test_autofilter_ref(book):
    assert book["Mapping"].auto_filter.ref == f"A2:{style.LAST_LETTER}6"


def test_band_merges(book):
    ws = book["Mapping"]
    merged = sorted(str(cell_range) for cell_range in ws.merged_cells.ranges)

    assert merged == ["A1:K1", "L1:V1", "W1:AC1"]
    assert ws["A1"].value == "Schoology"
    assert ws["L1"].value == "SIS"
    assert ws["W1"].value == "Mapping"


def test_column_names_row(book):
    names = [cell.value for cell in book["Mapping"][2]]

    assert names == list(layout.COLUMN_NAMES)


def test_column_widths(book):
    dimensions = book["Mapping"].column_dimensions

    for index, column in enumerate(layout.COLUMNS):
        assert dimensions[style.column_letter(index)].width == column.width


def test_mapping_id_validation(book):
    validations = book["Mapping"].data_validations.dataValidation

    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "list"
    assert validation.formula1 == "'SIS Users'!$A$2:$A$4"
    assert str(validation.sqref) == f"W3:W{layout.EXCEL_MAX_ROWS}"
    assert validation.errorStyle == "stop"
    assert validation.showErrorMessage is True
    assert validation.showInputMessage is True
    assert validation.allow_blank is True


def test_validation_prompt_explains_prefixes(book):
    prompt = book["Mapping"].data_validations.dataValidation[0].prompt

    assert "1_ student" in prompt
    assert "2_ teacher or staff" in prompt
    assert "3_ parent or guardian" in prompt
    assert len(prompt) <= 255


def rules_by_type(ws) -> dict[str, list[tuple[str, object]]]:
    found: dict[str, list] = {}
    for formatting in ws.conditional_formatting:
        for rule in formatting.rules:
            found.setdefault(rule.type, []).append((str(formatting.sqref), rule))

    return found


def test_duplicate_rule_on_mapping_ids(book):
    rules = rules_by_type(book["Mapping"])

    assert [ref for ref, _ in rules["duplicateValues"]] == [
        f"W3:W{layout.EXCEL_MAX_ROWS}"
    ]
    assert rules["duplicateValues"][0][1].dxf.fill.bgColor.rgb.endswith("FFC7CE")


def test_role_prefix_rule(book):
    rules = rules_by_type(book["Mapping"])
    role_rules = [
        (ref, rule) for ref, rule in rules["expression"] if "SEARCH" in rule.formula[0]
    ]

    assert len(role_rules) == 1
    ref, rule = role_rules[0]
    assert ref == f"W3:W{layout.EXCEL_MAX_ROWS}"
    assert 'SEARCH("student",$H3)' in rule.formula[0]
    assert 'SEARCH("guardian",$H3)' in rule.formula[0]
    assert "COUNTIF" not in rule.formula[0]


def test_scenario_fill_rules(book):
    rules = rules_by_type(book["Mapping"])
    fills = [
        (ref, rule) for ref, rule in rules["expression"] if "$X3=" in rule.formula[0]
    ]

    assert [ref for ref, _ in fills] == ["A3:AC6"] * 3
    assert [rule.formula[0].split(",")[0] for _, rule in fills] == [
        "AND($X3=1",
        "AND($X3=2",
        "AND($X3=3",
    ]


def test_mapping_id_rules_come_first(book):
    rules = rules_by_type(book["Mapping"])
    id_priorities = [rule.priority for _, rule in rules["duplicateValues"]]
    fill_priorities = [
        rule.priority for _, rule in rules["expression"] if "$X3=" in rule.formula[0]
    ]

    assert max(id_priorities) < min(fill_priorities)


def test_status_rules(book):
    rules = rules_by_type(book["Mapping"])

    assert [(ref, rule.text) for ref, rule in rules["beginsWith"]] == [
        ("Y3:Y6", "Error"),
        ("Y3:Y6", "Warning"),
    ]


def test_score_color_scale(book):
    rules = rules_by_type(book["Mapping"])
    ref, rule = rules["colorScale"][0]

    assert ref == "AB3:AB6"
    assert [point.val for point in rule.colorScale.cfvo] == [0, 50, 100]


def test_sis_users_sheet(book):
    ws = book["SIS Users"]
    rows = list(ws.values)

    assert rows[0] == style.SIS_USERS_HEADERS
    assert rows[1] == (
        "1_004512",
        "Maren Quillfeather1",
        "student",
        "Alder Creek Middle",
    )
    assert [row[0] for row in rows[1:]] == ["1_004512", f"1_{LONG_ID}", "2_000004"]
    assert ws.column_dimensions["A"].number_format == "@"


def test_sis_local_ids_argument(tmp_path):
    path = tmp_path / "ids.xlsx"
    write_report(
        path, sample_rows(), sample_meta(), sis_local_ids=["1_000900", sis_user(901)]
    )
    book = openpyxl.load_workbook(path)
    ids = [row[0] for row in book["SIS Users"].values][1:]

    assert ids == ["1_000900", "1_000901"]
    assert book["Mapping"].data_validations.dataValidation[0].formula1 == (
        "'SIS Users'!$A$2:$A$3"
    )


def test_suggestions_sheet(book):
    rows = list(book["Suggestions"].values)

    assert rows[0] == style.ALTERNATES_HEADERS
    assert rows[1] == (
        "41003",
        "1_000078",
        64,
        "Same last name",
        "1_000079",
        40,
        "Similar username",
    )
    assert len(rows) == 2


def test_summary_facts(book):
    ws = book["Summary"]
    facts_row = style.SUMMARY_LAYOUT.facts_row

    assert ws.cell(facts_row, 1).value == "Report ID"
    assert ws.cell(facts_row, 2).value == "rpt-0001"
    assert ws.cell(facts_row + 2, 2).value == "email, username"


def test_summary_counts(book):
    ws = book["Summary"]
    first = style.SUMMARY_LAYOUT.first_count_row

    assert [ws.cell(first + offset, 1).value for offset in range(3)] == [1, 2, 3]
    assert [ws.cell(first + offset, 3).value for offset in range(3)] == [2, 1, 1]
    assert ws.cell(style.SUMMARY_LAYOUT.total_row, 3).value == 4


def test_summary_sources_and_warnings(book):
    ws = book["Summary"]
    sources = style.SUMMARY_LAYOUT.sources_header_row
    warnings = style.SUMMARY_LAYOUT.warnings_header_row(2)

    assert ws.cell(sources + 1, 2).value == "schoology-users.csv"
    assert ws.cell(sources + 2, 4).value == 3
    assert ws.cell(warnings, 1).value == "Warnings"
    assert ws.cell(warnings + 1, 1).value == "users.csv line 9: no email."


def test_summary_chart(book):
    charts = book["Summary"]._charts

    assert len(charts) == 1
    chart = charts[0]
    assert isinstance(chart, BarChart)
    series = chart.series[0]
    assert series.val.numRef.f == "'Summary'!$C$10:$C$12"
    assert series.cat.numRef.f == "'Summary'!$A$10:$A$12"


def read_meta(path) -> dict[str, str]:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        rows = workbook.get_sheet_by_name(layout.META_SHEET).to_python()

    return {row[0]: row[1] for row in rows}


def test_meta_sheet_very_hidden(book):
    assert book[layout.META_SHEET].sheet_state == "veryHidden"


def test_calamine_reads_meta_sheet(report_path):
    with CalamineWorkbook.from_path(str(report_path)) as workbook:
        visibility = {
            sheet.name: str(sheet.visible) for sheet in workbook.sheets_metadata
        }

    meta = read_meta(report_path)
    assert "VeryHidden" in visibility[layout.META_SHEET]
    assert list(meta) == list(META_KEYS)
    assert meta["report_id"] == "rpt-0001"
    assert meta["format_version"] == str(layout.FORMAT_VERSION)
    assert meta["rows"] == "4"
    assert meta["mapping_options"] == "email,username"
    assert meta["mapping_sheets"] == "Mapping"
    assert meta["generated_at"] == "2026-12-04T09:00:00+00:00"


def mapping_values(path, sheet="Mapping") -> list[list]:
    with CalamineWorkbook.from_path(str(path)) as workbook:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    return rows[layout.HEADER_ROWS :]


def test_digest_matches_calamine_values(report_path):
    digest = layout.ContentDigest()
    for values in mapping_values(report_path):
        digest.add(values)

    assert read_meta(report_path)["digest"] == digest.hexdigest()
    assert digest.rows == 4


def test_digest_matches_rows_given(report_path):
    digest = layout.ContentDigest()
    for row in sample_rows():
        digest.add(layout.row_values(row))

    assert read_meta(report_path)["digest"] == digest.hexdigest()


def many_rows(count: int) -> list[layout.ReportRow]:
    return [matched_row(number) for number in range(count)]


def test_split_over_mapping_sheets(tmp_path):
    path = tmp_path / "split.xlsx"
    info = write_report(path, many_rows(7), sample_meta(), max_data_rows=3)
    book = openpyxl.load_workbook(path)

    assert info.mapping_sheets == ["Mapping", "Mapping 2", "Mapping 3"]
    assert book.sheetnames[:4] == ["Mapping", "Mapping 2", "Mapping 3", "Summary"]
    assert [book[name].max_row for name in info.mapping_sheets] == [5, 5, 3]
    assert book["Mapping 2"]["A3"].value == "41003"
    assert book["Mapping 3"]["A3"].value == "41006"
    assert read_meta(path)["mapping_sheets"] == "Mapping,Mapping 2,Mapping 3"


@pytest.mark.parametrize("sheet", ["Mapping 2", "Mapping 3"])
def test_split_sheets_same_setup(tmp_path, sheet):
    path = tmp_path / "split.xlsx"
    write_report(path, many_rows(7), sample_meta(), max_data_rows=3)
    ws = openpyxl.load_workbook(path)[sheet]

    assert [cell.value for cell in ws[2]] == list(layout.COLUMN_NAMES)
    assert ws.protection.sheet is True
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions[style.MAPPING_ID_LETTER].protection.locked is False
    assert len(ws.data_validations.dataValidation) == 1
    assert "duplicateValues" in rules_by_type(ws)
    assert len(ws.merged_cells.ranges) == 3


def test_split_digest_covers_all_sheets(tmp_path):
    path = tmp_path / "split.xlsx"
    info = write_report(path, many_rows(7), sample_meta(), max_data_rows=3)
    digest = layout.ContentDigest()
    for sheet in info.mapping_sheets:
        for values in mapping_values(path, sheet):
            digest.add(values)

    assert digest.rows == 7
    assert info.digest == digest.hexdigest()


def test_split_sis_users_custom_validation(tmp_path):
    path = tmp_path / "split.xlsx"
    write_report(path, many_rows(7), sample_meta(), max_data_rows=3)
    book = openpyxl.load_workbook(path)
    validation = book["Mapping"].data_validations.dataValidation[0]

    assert book["SIS Users"].max_row == 5
    assert book["SIS Users 2"].max_row == 4
    assert validation.type == "custom"
    assert "MATCH(W3,'SIS Users'!$A$2:$A$5,0)" in validation.formula1
    assert "MATCH(W3,'SIS Users 2'!$A$2:$A$4,0)" in validation.formula1


def test_empty_report(tmp_path):
    path = tmp_path / "empty.xlsx"
    info = write_report(path, [], sample_meta(counts={}))
    book = openpyxl.load_workbook(path)

    assert info.rows == 0
    assert book["Mapping"].auto_filter.ref == f"A2:{style.LAST_LETTER}2"
    assert book["Mapping"].data_validations.dataValidation[0].formula1 == (
        "'SIS Users'!$A$2:$A$2"
    )


def test_write_to_file_object():
    buffer = io.BytesIO()
    write_report(buffer, sample_rows(), sample_meta())
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))

    assert book["Mapping"]["A3"].value == "41001"


def test_progress_reports_rows(tmp_path):
    calls = []
    write_report(
        tmp_path / "p.xlsx",
        sample_rows(),
        sample_meta(),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(4, 4)]


@pytest.mark.parametrize(
    ("field", "value", "cell"),
    [
        ("first_name", "Ma\x07ren", "B3"),
        ("email", "m\x00@district.example", "F3"),
        ("school", "Alder\x1bCreek", "I3"),
    ],
)
def test_control_character_rejected(tmp_path, field, value, cell):
    row = layout.ReportRow(scenario=2, schoology=schoology_user(1, **{field: value}))
    path = tmp_path / "bad.xlsx"

    with pytest.raises(ExportError) as caught:
        write_report(path, [row], sample_meta())

    assert f"Mapping!{cell}" in caught.value.message
    assert "control character" in caught.value.message
    assert not path.exists()


def test_failed_write_keeps_old_file(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"previous")
    row = layout.ReportRow(scenario=2, schoology=schoology_user(1, first_name="\x01"))

    with pytest.raises(ExportError):
        write_report(path, [row], sample_meta())

    assert path.read_bytes() == b"previous"
    assert [item.name for item in tmp_path.iterdir()] == ["report.xlsx"]


def annotated_copy(tmp_path):
    source = tmp_path / "source.xlsx"
    write_report(source, sample_rows(), sample_meta())
    values = mapping_values(source)
    target = tmp_path / "annotated.xlsx"
    write_values(
        target,
        values,
        sample_meta(),
        statuses={0: "OK", 2: "Error: 1_000077 is not on the SIS Users sheet."},
        marks={2: {layout.MAPPING_ID, layout.COLUMN_INDEX["First Name"]}},
    )

    return source, target


def test_annotated_copy_statuses(tmp_path):
    _, target = annotated_copy(tmp_path)
    ws = openpyxl.load_workbook(target)["Mapping"]
    status = style.STATUS_LETTER

    assert ws[f"{status}3"].value == "OK"
    assert ws[f"{status}4"].value is None
    assert ws[f"{status}5"].value.startswith("Error: 1_000077")


def test_annotated_copy_marks(tmp_path):
    _, target = annotated_copy(tmp_path)
    ws = openpyxl.load_workbook(target)["Mapping"]
    marked_id = ws[f"{style.MAPPING_ID_LETTER}5"]
    marked_name = ws["B5"]

    assert marked_id.fill.fgColor.rgb.endswith(style.MARK_FILL.fgColor.rgb[-6:])
    assert marked_id.protection.locked is False
    assert marked_id.number_format == "@"
    assert marked_name.fill.fgColor.rgb.endswith(style.MARK_FILL.fgColor.rgb[-6:])
    assert marked_name.value == "=1+1"
    assert marked_name.data_type == "s"
    assert ws["B4"].fill.fill_type is None


def test_annotated_copy_same_digest(tmp_path):
    source, target = annotated_copy(tmp_path)

    assert read_meta(target)["digest"] == read_meta(source)["digest"]


def test_annotated_copy_keeps_sis_users(tmp_path):
    source, target = annotated_copy(tmp_path)
    before = list(openpyxl.load_workbook(source)["SIS Users"].values)
    after = list(openpyxl.load_workbook(target)["SIS Users"].values)

    assert after == before


def test_write_values_ids_from_numbers(tmp_path):
    values = [None] * len(layout.COLUMNS)
    values[layout.SCHOOLOGY_ID] = 41001.0
    values[layout.SCENARIO] = 2.0
    path = tmp_path / "numbers.xlsx"
    write_values(path, [values], sample_meta())
    cell = openpyxl.load_workbook(path)["Mapping"]["A3"]

    assert cell.value == "41001"
    assert cell.data_type == "s"


def test_write_values_rejects_long_row(tmp_path):
    values = ["x"] * (len(layout.COLUMNS) + 1)

    with pytest.raises(ExportError) as caught:
        write_values(tmp_path / "long.xlsx", [values], sample_meta())

    assert "Mapping row 3" in caught.value.message
    assert "30 cells" in caught.value.message


def test_write_values_edited_scenario(tmp_path):
    values = [None] * len(layout.COLUMNS)
    values[layout.SCHOOLOGY_ID] = "41001"
    values[layout.SCENARIO] = "x"
    path = tmp_path / "edited.xlsx"
    info = write_values(path, [values], sample_meta(counts={}))
    summary = openpyxl.load_workbook(path)["Summary"]

    assert info.rows == 1
    assert summary.cell(style.SUMMARY_LAYOUT.total_row, 3).value == 0


def test_write_values_short_side_rows(tmp_path):
    path = tmp_path / "short.xlsx"
    write_values(
        path,
        [],
        sample_meta(counts={}),
        sis_users=[["1_000123"]],
        alternates=[["41001", "1_000124"]],
    )
    book = openpyxl.load_workbook(path)

    assert list(book["SIS Users"].values)[1] == ("1_000123", None, None, None)
    assert list(book["Suggestions"].values)[1][:2] == ("41001", "1_000124")


def test_progress_without_length(tmp_path):
    calls = []
    rows = (row for row in sample_rows())
    write_report(
        tmp_path / "g.xlsx",
        rows,
        sample_meta(),
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls == [(4, None)]


def test_split_exact_fit_adds_no_sheet(tmp_path):
    info = write_report(
        tmp_path / "fit.xlsx", many_rows(6), sample_meta(), max_data_rows=3
    )

    assert info.mapping_sheets == ["Mapping", "Mapping 2"]


def test_saved_file_follows_umask(tmp_path):
    path = tmp_path / "mode.xlsx"
    umask = os.umask(0o022)
    try:
        write_report(path, sample_rows(), sample_meta())
    finally:
        os.umask(umask)

    assert path.stat().st_mode & 0o777 == 0o644
