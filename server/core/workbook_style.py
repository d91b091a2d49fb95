"""Fonts, fills, protection, data validation and conditional formatting of the
workbooks that Data Prep writes.

Each styled part is defined once here. The report writer
(``server.core.workbook``) and the template writer (``server.core.templates``)
both build their sheets from these definitions, so a downloaded template and a
generated report look and behave the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.cell import Cell
from openpyxl.formatting.rule import ColorScaleRule, Rule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.protection import SheetProtection

from . import layout

TEXT_FORMAT = "@"

BAND_FONT = Font(bold=True, color="FFFFFF")
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
BAND_ALIGNMENT = Alignment(horizontal="center", vertical="center")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)

BAND_FILLS = {
    layout.SCHOOLOGY_BAND: PatternFill("solid", fgColor="2F5597"),
    layout.SIS_BAND: PatternFill("solid", fgColor="548235"),
    layout.MAPPING_BAND: PatternFill("solid", fgColor="C55A11"),
}
HEADER_FILLS = {
    layout.SCHOOLOGY_BAND: PatternFill("solid", fgColor="D9E1F2"),
    layout.SIS_BAND: PatternFill("solid", fgColor="E2EFDA"),
    layout.MAPPING_BAND: PatternFill("solid", fgColor="FCE4D6"),
}

# The fill of a cell that validation marks as bad in an annotated copy.
MARK_FILL = PatternFill("solid", fgColor="FF9999")

SCENARIO_COLORS = {1: "E2EFDA", 2: "FFF2CC", 3: "DDEBF7"}
SCENARIO_DESCRIPTIONS = {
    1: "In both systems and matched",
    2: "Only in Schoology, or the fields did not match",
    3: "Only in the SIS",
}
ERROR_STYLE = DifferentialStyle(
    font=Font(color="9C0006"), fill=PatternFill(bgColor="FFC7CE")
)
WARNING_STYLE = DifferentialStyle(
    font=Font(color="9C5700"), fill=PatternFill(bgColor="FFEB9C")
)

LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

MAPPING_ID_PROMPT_TITLE = "Integration-Mapping ID"
MAPPING_ID_PROMPT = (
    "Type or pick the SIS local ID of this Schoology user. The prefix names the "
    "role: 1_ student, 2_ teacher or staff, 3_ parent or guardian. Leave the cell "
    "empty to keep the user unmatched."
)
MAPPING_ID_ERROR_TITLE = "Unknown SIS local ID"
MAPPING_ID_ERROR = (
    "This value is not a local ID on the SIS Users sheet. Pick a local ID from the "
    "list, or leave the cell empty."
)

SIS_USERS_HEADERS = ("SIS Local ID", "Name", "Role", "School")
SIS_USERS_WIDTHS = (18, 32, 14, 28)
ALTERNATES_HEADERS = (
    "Schoology User ID",
    "2nd Local ID",
    "2nd Score",
    "2nd Reason",
    "3rd Local ID",
    "3rd Score",
    "3rd Reason",
)
ALTERNATES_WIDTHS = (18, 18, 10, 48, 18, 10, 48)
ALTERNATES_ID_COLUMNS = frozenset({0, 1, 4})


def column_letter(index: int) -> str:
    """Return the letter of a 0-based column index of the Mapping sheet."""
    return get_column_letter(index + 1)


MAPPING_ID_LETTER = column_letter(layout.MAPPING_ID)
SCENARIO_LETTER = column_letter(layout.SCENARIO)
STATUS_LETTER = column_letter(layout.STATUS)
ROLE_LETTER = column_letter(layout.COLUMN_INDEX["Role"])
SCORE_LETTER = column_letter(layout.COLUMN_INDEX["Suggestion Score"])
LAST_LETTER = column_letter(len(layout.COLUMNS) - 1)
FIRST_DATA_ROW = layout.HEADER_ROWS + 1


def protect_sheet(ws) -> None:
    """Switch sheet protection on, still allowing filtering, sorting and widths.

    In OOXML a true flag forbids the action, so False allows it. There is no
    password: protection guards against slips, and the digest on the hidden
    sheet detects deliberate edits.
    NOTE: Excel does not sort a range with locked cells on a protected sheet,
    whatever the sort flag is set to, so Excel users can filter but not sort.
    """
    ws.protection = SheetProtection(
        sheet=True,
        autoFilter=False,
        sort=False,
        formatColumns=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
    )


def set_column_widths(ws, widths: Sequence[int]) -> None:
    """Set column widths on a sheet before its first row is written."""
    for index, width in enumerate(widths):
        letter = get_column_letter(index + 1)
        ws.column_dimensions[letter] = ColumnDimension(ws, index=letter, width=width)


def set_text_columns(ws, indexes) -> None:
    """Give 0-based columns the Text number format for the cells left empty."""
    for index in indexes:
        dimension = ws.column_dimensions[get_column_letter(index + 1)]
        dimension.number_format = TEXT_FORMAT


def set_mapping_columns(ws) -> None:
    """Set widths and column styles of a Mapping sheet, before its first row.

    Column styles reach the empty cells below the data: ID columns are Text
    and the Integration-Mapping ID column is unlocked, so staff can type an ID
    into any of its cells while the sheet is protected.
    """
    set_column_widths(ws, [column.width for column in layout.COLUMNS])
    set_text_columns(
        ws, [index for index, column in enumerate(layout.COLUMNS) if column.is_id]
    )
    for index, column in enumerate(layout.COLUMNS):
        if not column.locked:
            ws.column_dimensions[column_letter(index)].protection = UNLOCKED


def freeze_mapping_header(ws) -> None:
    """Freeze the two header rows and the Schoology User ID column."""
    ws.freeze_panes = f"B{FIRST_DATA_ROW}"


def styled_cell(ws, value, *, font=None, fill=None, alignment=None) -> Cell:
    """Build a write-only cell holding ``value`` as text, with the given style."""
    cell = Cell(ws, row=1, column=1, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment

    return cell


def mapping_header_rows(ws) -> list[list]:
    """Build the band row and the column-name row of a Mapping sheet."""
    band_row = []
    names_row = []
    previous_band = None
    for column in layout.COLUMNS:
        if column.band != previous_band:
            band_row.append(
                styled_cell(
                    ws,
                    column.band,
                    font=BAND_FONT,
                    fill=BAND_FILLS[column.band],
                    alignment=BAND_ALIGNMENT,
                )
            )
            previous_band = column.band
        else:
            band_row.append(styled_cell(ws, None, fill=BAND_FILLS[column.band]))
        names_row.append(
            styled_cell(
                ws,
                column.name,
                font=HEADER_FONT,
                fill=HEADER_FILLS[column.band],
                alignment=HEADER_ALIGNMENT,
            )
        )

    return [band_row, names_row]


def band_ranges() -> list[str]:
    """Return the merged ranges of row 1, one per band, such as ``A1:K1``."""
    ranges = []
    start = 0
    for index in range(1, len(layout.COLUMNS) + 1):
        at_end = index == len(layout.COLUMNS)
        if at_end or layout.COLUMNS[index].band != layout.COLUMNS[start].band:
            ranges.append(f"{column_letter(start)}1:{column_letter(index - 1)}1")
            start = index

    return ranges


def merge_bands(ws) -> None:
    """Merge the band cells of row 1 over the Schoology, SIS and mapping columns."""
    for cell_range in band_ranges():
        ws.merged_cells.add(cell_range)


def plain_header_row(ws, headers: Sequence[str]) -> list[Cell]:
    """Build a one-row bold header for the side sheets."""
    return [styled_cell(ws, name, font=HEADER_FONT) for name in headers]


def mapping_id_range() -> str:
    """Return the Integration-Mapping ID cells from row 3 to Excel's last row."""
    letter = MAPPING_ID_LETTER
    return f"{letter}{FIRST_DATA_ROW}:{letter}{layout.EXCEL_MAX_ROWS}"


def sis_id_list_range(sheet_name: str, ids: int) -> str:
    """Return the absolute range of the local IDs on a SIS Users sheet."""
    last = max(ids + 1, 2)

    return f"{quote_sheetname(sheet_name)}!$A$2:$A${last}"


def mapping_id_validation(sis_sheets: Sequence[tuple[str, int]]) -> DataValidation:
    """Build the data validation of the Integration-Mapping ID column.

    ``sis_sheets`` lists each SIS Users sheet with the number of IDs on it.
    With one sheet the validation is a drop-down list over its ID range. A
    list must be one range on one sheet, so with several sheets it becomes a
    custom formula that looks the ID up on each sheet, which has no drop-down.
    """
    if len(sis_sheets) == 1:
        name, ids = sis_sheets[0]
        validation = DataValidation(type="list", formula1=sis_id_list_range(name, ids))
    else:
        cell = f"{MAPPING_ID_LETTER}{FIRST_DATA_ROW}"
        lookups = ",".join(
            f"ISNUMBER(MATCH({cell},{sis_id_list_range(name, ids)},0))"
            for name, ids in sis_sheets
        )
        validation = DataValidation(type="custom", formula1=f"OR({lookups})")

    validation.allow_blank = True
    validation.showInputMessage = True
    validation.promptTitle = MAPPING_ID_PROMPT_TITLE
    validation.prompt = MAPPING_ID_PROMPT
    validation.showErrorMessage = True
    validation.errorStyle = "stop"
    validation.errorTitle = MAPPING_ID_ERROR_TITLE
    validation.error = MAPPING_ID_ERROR
    validation.add(mapping_id_range())

    return validation


def role_mismatch_formula() -> str:
    """Return the formula that is true when the ID's prefix does not fit the role.

    The expected prefix comes from the Schoology role name: a name containing
    "student" expects ``1_``, "parent" or "guardian" expects ``3_``, anything else
    ``2_``. SEARCH is case-insensitive in Excel and LibreOffice alike. Rows
    without a Schoology user (scenario 3) are never flagged.
    """
    mapping_id = f"${MAPPING_ID_LETTER}{FIRST_DATA_ROW}"
    role = f"${ROLE_LETTER}{FIRST_DATA_ROW}"
    expected = (
        f'IF(ISNUMBER(SEARCH("student",{role})),"1_",'
        f'IF(OR(ISNUMBER(SEARCH("parent",{role})),'
        f'ISNUMBER(SEARCH("guardian",{role}))),"3_","2_"))'
    )

    return f'AND({mapping_id}<>"",{role}<>"",LEFT({mapping_id},2)<>{expected})'


def scenario_formula(scenario: int) -> str:
    """Return the formula that tints a row of the given scenario.

    Rows whose Status begins with "Error" or "Warning" keep no tint, because
    a conditional fill would hide the red fill of the cells marked as bad.
    """
    scenario_cell = f"${SCENARIO_LETTER}{FIRST_DATA_ROW}"
    status = f"${STATUS_LETTER}{FIRST_DATA_ROW}"

    return (
        f'AND({scenario_cell}={scenario},LEFT({status},5)<>"Error",'
        f'LEFT({status},7)<>"Warning")'
    )


def begins_with_rule(column: str, text: str, style: DifferentialStyle) -> Rule:
    """Build a "cell value begins with" rule for one column."""
    formula = f'LEFT({column}{FIRST_DATA_ROW},{len(text)})="{text}"'

    return Rule(
        type="beginsWith",
        operator="beginsWith",
        text=text,
        formula=[formula],
        dxf=style,
    )


def add_mapping_formatting(ws, last_row: int) -> None:
    """Add the conditional formatting of a Mapping sheet.

    Rules on the Integration-Mapping ID come first, so their red wins over the
    scenario tint. The ID rules cover the whole column, like the data
    validation, and the row tints cover the data rows only.
    NOTE: a rule's range cannot span sheets, so an ID used on both Mapping and
    Mapping 2 is not shown red; validation still reports it.
    """
    rules = ws.conditional_formatting
    ids = mapping_id_range()
    rows = f"A{FIRST_DATA_ROW}:{LAST_LETTER}{max(last_row, FIRST_DATA_ROW)}"
    rows_end = max(last_row, FIRST_DATA_ROW)

    rules.add(ids, Rule(type="duplicateValues", dxf=ERROR_STYLE))
    rules.add(
        ids, Rule(type="expression", formula=[role_mismatch_formula()], dxf=ERROR_STYLE)
    )

    status = f"{STATUS_LETTER}{FIRST_DATA_ROW}:{STATUS_LETTER}{rows_end}"
    rules.add(status, begins_with_rule(STATUS_LETTER, "Error", ERROR_STYLE))
    rules.add(status, begins_with_rule(STATUS_LETTER, "Warning", WARNING_STYLE))

    score = f"{SCORE_LETTER}{FIRST_DATA_ROW}:{SCORE_LETTER}{rows_end}"
    rules.add(
        score,
        ColorScaleRule(
            start_type="num",
            start_value=0,
            start_color="F8696B",
            mid_type="num",
            mid_value=50,
            mid_color="FFEB84",
            end_type="num",
            end_value=100,
            end_color="63BE7B",
        ),
    )

    for scenario, color in SCENARIO_COLORS.items():
        tint = DifferentialStyle(fill=PatternFill(bgColor=color))
        rule = Rule(type="expression", formula=[scenario_formula(scenario)], dxf=tint)
        rules.add(rows, rule)


@dataclass(frozen=True, slots=True)
class SummaryLayout:
    """The 1-based row numbers of the parts of the Summary sheet.

    The counts table has a fixed place so that the chart and readers find it.
    Source files follow the counts, and warnings follow the sources.
    """

    title_row: int = 1
    facts_row: int = 3
    counts_header_row: int = 9
    sources_header_row: int = 15

    @property
    def first_count_row(self) -> int:
        return self.counts_header_row + 1

    @property
    def total_row(self) -> int:
        return self.first_count_row + len(SCENARIO_DESCRIPTIONS)

    def warnings_header_row(self, sources: int) -> int:
        return self.sources_header_row + sources + 2


SUMMARY_LAYOUT = SummaryLayout()
SUMMARY_WIDTHS = (18, 44, 14, 12)
SUMMARY_TITLE = "User mapping report"
SUMMARY_FACTS = ("Report ID", "Generated", "Mapping options", "Format version", "Rows")
COUNTS_HEADERS = ("Scenario", "Description", "Rows")
SOURCES_HEADERS = ("Side", "File", "Format", "Rows")
CHART_ANCHOR = "F3"


def scenario_chart(ws):
    """Build the bar chart of the scenario counts on the Summary sheet."""
    from openpyxl.chart import BarChart, Reference

    summary = SUMMARY_LAYOUT
    chart = BarChart()
    chart.type = "col"
    chart.title = "Rows per scenario"
    chart.y_axis.title = "Rows"
    chart.x_axis.title = "Scenario"
    chart.legend = None
    data = Reference(
        ws,
        min_col=3,
        min_row=summary.counts_header_row,
        max_row=summary.total_row - 1,
    )
    categories = Reference(
        ws,
        min_col=1,
        min_row=summary.first_count_row,
        max_row=summary.total_row - 1,
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.width = 16
    chart.height = 8

    return chart


SCHOOLOGY_TEMPLATE_COLUMNS = tuple(
    column for column in layout.SCHOOLOGY_COLUMNS if column.name != "Schoology Matching"
) + (layout.Column("Additional Schools", layout.SCHOOLOGY_BAND, 28),)
SIS_TEMPLATE_COLUMNS = (
    layout.Column("SIS Key", layout.SIS_BAND, 16, is_id=True),
    layout.Column("Number", layout.SIS_BAND, 16, is_id=True),
    layout.Column("First Name", layout.SIS_BAND, 14),
    layout.Column("Middle Name", layout.SIS_BAND, 12),
    layout.Column("Last Name", layout.SIS_BAND, 16),
    layout.Column("Username", layout.SIS_BAND, 16),
    layout.Column("Email", layout.SIS_BAND, 28),
    layout.Column("Role", layout.SIS_BAND, 14),
    layout.Column("School", layout.SIS_BAND, 20),
    layout.Column("Grade", layout.SIS_BAND, 9),
)
# Role names that model.parse_role maps to a role, offered by the Role list.
SIS_TEMPLATE_ROLES = (
    "student",
    "teacher",
    "staff",
    "administrator",
    "aide",
    "parent",
    "guardian",
)


def role_validation(column_index: int) -> DataValidation:
    """Build the drop-down list of roles for a column of the SIS users template."""
    letter = column_letter(column_index)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(SIS_TEMPLATE_ROLES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Unknown role",
        error="Pick a role from the list: " + ", ".join(SIS_TEMPLATE_ROLES) + ".",
    )
    validation.add(f"{letter}2:{letter}{layout.EXCEL_MAX_ROWS}")

    return validation
