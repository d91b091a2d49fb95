"""Write a user mapping report as an Excel workbook, streaming the rows.

The workbook has these sheets, in this order:

- ``Mapping`` (then ``Mapping 2``, ``Mapping 3``...): a band row over the
  Schoology, SIS and mapping columns, the column names in row 2, data from
  row 3. Sheet protection locks every cell but the Integration-Mapping ID
  column, which has data validation and conditional formatting.
- ``Summary``: report id, time, mapping options, counts per scenario with a
  bar chart, the source files and the warnings.
- ``Suggestions``: the 2nd and 3rd suggested SIS users of each row that has
  more than one suggestion.
- ``SIS Users``: the local IDs that the data validation list offers.
- ``_dataprep``, very hidden: key/value rows that validation reads back.

Splitting: a sheet contains at most ``max_data_rows`` data rows. Rows go to the
sheets in the order given, so a scenario group that does not fit continues at
row 3 of the next Mapping sheet. A group may span sheets because one group
alone can pass Excel's row limit (scenario 1 of a district of a million), and
a writer that streams cannot know a group's size before it ends. The SIS Users
and Suggestions sheets split the same way, one header row each.

Speed: openpyxl's write-only mode streams each sheet to a temporary file.
Only cells that need a style get one: the IDs, the headers and marked cells.
Every ID is written as a string in a cell with the Text format, and the
column styles give the empty cells of an ID column the Text format too.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles.cell_style import StyleArray

from . import layout
from . import workbook_style as style
from .errors import ExportError
from .frontend import step
from .model import SisUser

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10_000

META_KEYS = (
    "report_id",
    "format_version",
    "digest",
    "rows",
    "mapping_options",
    "mapping_sheets",
    "sis_users_sheets",
    "alternates_sheets",
    "generated_at",
)

# Separates the items of a list value on the hidden sheet. Sheet names and
# mapping options never contain a comma.
META_LIST_SEPARATOR = ","

ProgressCallback = Callable[[int, int | None], None]


@dataclass(slots=True)
class ReportMeta:
    """The facts about a report that the Summary and the hidden sheet show.

    ``sources`` lists ``(side, file name, format, data rows)`` per file read.
    ``counts`` maps a scenario (1, 2, 3) to its row count as the report build
    counted it. The Summary shows the counts of the rows actually written.
    """

    report_id: str
    generated_at: str
    mapping_options: list[str] = field(default_factory=list)
    sources: list[tuple[str, str, str, int]] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    format_version: int = layout.FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class WorkbookInfo:
    """The content digest, sheet names and data row count of a written workbook."""

    digest: str
    sheet_names: list[str]
    mapping_sheets: list[str]
    rows: int


def write_report(
    target,
    rows: Iterable[layout.ReportRow],
    meta: ReportMeta,
    *,
    max_data_rows: int = layout.MAX_DATA_ROWS,
    sis_local_ids: Iterable[SisUser | str] | None = None,
    progress: ProgressCallback | None = None,
) -> WorkbookInfo:
    """Write report rows to ``target``, a path or a binary file object.

    ``sis_local_ids`` sets the list that the data validation offers, as SIS
    users or bare local IDs. By default it is every SIS user in ``rows``.
    ``progress(rows_written, total)`` is called every 10,000 rows and at the
    end; ``total`` is None when ``rows`` has no length.
    """
    total = len(rows) if isinstance(rows, Sequence) else None
    derive_sis_users = sis_local_ids is None

    with _ReportWriter(meta, max_data_rows) as writer:
        for row in rows:
            writer.add_row(layout.row_values(row))
            if derive_sis_users and row.sis is not None:
                writer.add_sis_user(sis_entry(row.sis))
            if len(row.suggestions) > 1:
                writer.add_alternates(alternates_values(row))
            if progress is not None and writer.rows % PROGRESS_EVERY == 0:
                progress(writer.rows, total)

        for user in sis_local_ids or ():
            writer.add_sis_user(sis_entry(user))

        info = writer.save(target)
    if progress is not None:
        progress(info.rows, total)

    return info


def write_values(
    target,
    value_rows: Iterable[Sequence],
    meta: ReportMeta,
    *,
    statuses: dict[int, str] | None = None,
    marks: dict[int, set[int]] | None = None,
    sis_users: Iterable[Sequence] | None = None,
    alternates: Iterable[Sequence] | None = None,
    max_data_rows: int = layout.MAX_DATA_ROWS,
    progress: ProgressCallback | None = None,
) -> WorkbookInfo:
    """Write rows given as lists in column order, as validation reads them back.

    ``statuses`` maps a 0-based data row index to the text of its Status cell.
    ``marks`` maps a row index to the 0-based columns to fill red as bad.
    ``sis_users`` are SIS Users rows (local ID, name, role, school); by default
    they come from the SIS columns of ``value_rows``. ``alternates`` are
    Suggestions rows in the order of ``style.ALTERNATES_HEADERS``.
    """
    statuses = statuses or {}
    marks = marks or {}
    total = len(value_rows) if isinstance(value_rows, Sequence) else None

    with _ReportWriter(meta, max_data_rows) as writer:
        for index, values in enumerate(value_rows):
            values = writer.fit_row(values, index)
            if index in statuses:
                values[layout.STATUS] = statuses[index]
            if sis_users is None and values[layout.SIS_LOCAL_ID] is not None:
                writer.add_sis_user(sis_entry_from_values(values))
            writer.add_row(values, marks.get(index, ()))
            if progress is not None and writer.rows % PROGRESS_EVERY == 0:
                progress(writer.rows, total)

        for entry in sis_users or ():
            writer.add_sis_user(list(entry))
        for entry in alternates or ():
            writer.add_alternates(list(entry))

        info = writer.save(target)
    if progress is not None:
        progress(info.rows, total)

    return info


def sis_entry(user: SisUser | str) -> list:
    """Return the SIS Users row of a SIS user or of a bare local ID."""
    if isinstance(user, str):
        return [user, None, None, None]

    name = " ".join(
        part for part in (user.first_name, user.middle_name, user.last_name) if part
    )

    return [user.local_id, name or None, user.role_name or None, user.school or None]


def sis_entry_from_values(values: Sequence) -> list:
    """Return the SIS Users row built from the SIS columns of a Mapping row."""
    index = layout.COLUMN_INDEX
    parts = [
        values[index[name]]
        for name in ("SIS First Name", "SIS Middle Name", "SIS Last Name")
    ]
    name = " ".join(str(part) for part in parts if part)

    return [
        values[layout.SIS_LOCAL_ID],
        name or None,
        values[index["SIS Role"]],
        values[index["SIS School"]],
    ]


def alternates_values(row: layout.ReportRow) -> list:
    """Return the Suggestions row of a report row: its 2nd and 3rd suggestions."""
    values = [row.schoology.schoology_id if row.schoology else None]
    for suggestion in row.suggestions[1:3]:
        values.extend([suggestion.local_id, suggestion.score, suggestion.reason])
    values.extend([None] * (len(style.ALTERNATES_HEADERS) - len(values)))

    return values


def _style_array(ws, *, number_format=None, protection=None, fill=None) -> StyleArray:
    """Register a style with the sheet's workbook and return its array for reuse."""
    cell = Cell(ws, row=1, column=1)
    if number_format is not None:
        cell.number_format = number_format
    if protection is not None:
        cell.protection = protection
    if fill is not None:
        cell.fill = fill

    return cell._style


class _SheetSeries:
    """A run of sheets of one kind that continues on a new sheet when full.

    ``setup(ws)`` prepares a new sheet before its first row (widths, frozen
    panes) and returns the header rows. ``id_columns`` are the 0-based columns
    whose values are written as strings. ``cell_styles`` maps the columns whose
    cells need a style of their own to a style registered with the workbook.
    """

    def __init__(self, workbook, name_of, capacity, setup, columns, id_columns):
        self.workbook = workbook
        self.name_of = name_of
        self.capacity = capacity
        self.setup = setup
        self.columns = tuple(columns)
        self.id_columns = tuple(id_columns)
        self.cell_styles: dict[int, StyleArray] = {}
        self.header_rows = 0
        self.sheets = []
        self.counts = []

    def current(self):
        """Return the sheet that takes the next row, starting one when full."""
        if not self.sheets or self.counts[-1] >= self.capacity:
            ws = self.workbook.create_sheet(self.name_of(len(self.sheets)))
            headers = self.setup(ws)
            for header in headers:
                ws.append(header)
            self.header_rows = len(headers)
            self.sheets.append(ws)
            self.counts.append(0)

        return self.sheets[-1]

    def append(self, values: list, marked: dict[int, StyleArray] | None = None):
        """Append a row, given as a list that this method may change.

        ``marked`` maps columns to the style of a cell marked as bad.
        """
        ws = self.current()
        row = self.counts[-1] + self.header_rows + 1
        text = _check_text(values, ws.title, row, self.columns)
        for index in self.id_columns:
            value = values[index]
            if value is not None and type(value) is not str:
                values[index] = layout.cell_text(value)
        # Most rows have neither character, so the scan per cell is skipped.
        if "=" in text or "#" in text:
            _escape_formulas(ws, values, self.cell_styles)
        for index, array in (marked or {}).items():
            values[index] = _text_cell(ws, values[index], array)

        if "_values_to_row" not in vars(ws):
            ws._values_to_row = _RowCells(ws, self.cell_styles)
        ws.append(values)
        self.counts[-1] += 1


class _RowCells:
    """Turn a row's values into cells for a write-only sheet, with each column's style.

    openpyxl's own ``_values_to_row`` takes a styled cell only after assigning
    it as a value raises ValueError, and then makes a new cell for the next
    value. With six styled ID cells a row, writing 100,000 users took a
    third longer than with this class. It keeps one cell per column, with the
    style that ``styles`` gives the column, and passes cells built by the
    caller (marked or escaped ones) through as they are. It is installed
    after the header rows, whose cells carry their own styles.
    NOTE: this replaces a private openpyxl method, as of openpyxl 3.1.5.
    """

    def __init__(self, ws, styles: dict[int, StyleArray]):
        self.ws = ws
        self.styles = styles
        self.cells: dict[int, Cell] = {}

    def __call__(self, values, row_idx: int) -> Iterator[Cell]:
        cells = self.cells
        for column, value in enumerate(values, 1):
            if value is None:
                continue

            if isinstance(value, Cell):
                cell = value
            else:
                cell = cells.get(column) or self._column_cell(column)
                cell.value = value
            cell.column = column
            cell.row = row_idx
            yield cell

    def _column_cell(self, column: int) -> Cell:
        array = self.styles.get(column - 1)
        if array is None:
            cell = WriteOnlyCell(self.ws)
        else:
            cell = _ColumnCell(self.ws, row=1, column=column, style_array=array)
            cell.cached_style_id = Cell.style_id.__get__(cell)
        self.cells[column] = cell

        return cell


class _ColumnCell(Cell):
    """A reused cell of a styled column, whose style id is looked up once.

    openpyxl's writer reads ``style_id`` of every styled cell, which hashes
    the style into the workbook's style list each time.
    """

    __slots__ = ("cached_style_id",)

    @property
    def style_id(self) -> int:
        return self.cached_style_id


class _PreparedCell(Cell):
    """A cell built ahead of ``ws.append``, with a cheap ``repr``.

    openpyxl's write-only ``append`` first tries to store each value in a
    reused cell and takes a Cell as it is when that raises ValueError, whose
    message calls ``repr``. The default ``repr`` costs more than the rest.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<PreparedCell>"


def _text_cell(ws, value, style_array: StyleArray) -> Cell:
    """Build a styled cell that keeps a string as text, even ``=1+1`` or ``#N/A``."""
    if isinstance(value, Cell):
        value = value.value
    cell = _PreparedCell(ws, row=1, column=1, value=value, style_array=style_array)
    if isinstance(value, str):
        cell.data_type = "s"

    return cell


def _check_text(values: list, sheet: str, row: int, columns: Sequence[str]) -> str:
    """Return the row's strings joined, or raise ExportError for a control character.

    openpyxl raises in the middle of ``ws.append``, which leaves the sheet's
    stream broken, so the row is checked first: one search over its joined
    strings, then a second pass only to name the cell.
    """
    text = "".join([value for value in values if type(value) is str])
    if ILLEGAL_CHARACTERS_RE.search(text) is None:
        return text

    for index, value in enumerate(values):
        match = ILLEGAL_CHARACTERS_RE.search(value) if type(value) is str else None
        if match:
            raise ExportError(
                f"{sheet}!{style.column_letter(index)}{row} ({columns[index]}): the "
                f"value contains the control character U+{ord(match.group()):04X}, "
                "which Excel cannot store. Remove it from the export and run the "
                "report again."
            )

    return text


def _escape_formulas(
    ws, values: list, styles: dict[int, StyleArray] | None = None
) -> None:
    """Replace strings that openpyxl would store as a formula or an error code.

    openpyxl treats a string that starts with ``=`` as a formula and ``#N/A``
    and the like as error values. Both start with ``=`` or ``#``. ``styles``
    gives the style of a column whose cells need one, such as an ID column.
    """
    for index, value in enumerate(values):
        if type(value) is str and value[:1] in ("=", "#"):
            array = styles.get(index) if styles else None
            cell = _PreparedCell(ws, row=1, column=1, value=value, style_array=array)
            cell.data_type = "s"
            values[index] = cell


class _ReportWriter:
    """The sheets of one report under construction, filled row by row."""

    def __init__(self, meta: ReportMeta, max_data_rows: int):
        if max_data_rows < 1:
            raise ValueError(f"max_data_rows must be at least 1, not {max_data_rows}")

        self.meta = meta
        self.workbook = Workbook(write_only=True)
        self.digest = layout.ContentDigest()
        self.scenario_counts = {scenario: 0 for scenario in style.SCENARIO_DESCRIPTIONS}
        self.rows = 0
        self.mark_styles: dict[int, StyleArray] = {}

        side_capacity = max_data_rows + layout.HEADER_ROWS - 1
        self.mapping = _SheetSeries(
            self.workbook,
            layout.mapping_sheet_name,
            max_data_rows,
            self._setup_mapping,
            layout.COLUMN_NAMES,
            [index for index, column in enumerate(layout.COLUMNS) if column.is_id],
        )
        self.sis_users = _SheetSeries(
            self.workbook,
            _side_sheet_namer(layout.SIS_USERS_SHEET),
            side_capacity,
            self._setup_side(style.SIS_USERS_HEADERS, style.SIS_USERS_WIDTHS, [0]),
            style.SIS_USERS_HEADERS,
            [0],
        )
        self.alternates = _SheetSeries(
            self.workbook,
            _side_sheet_namer(layout.ALTERNATES_SHEET),
            side_capacity,
            self._setup_side(
                style.ALTERNATES_HEADERS,
                style.ALTERNATES_WIDTHS,
                style.ALTERNATES_ID_COLUMNS,
            ),
            style.ALTERNATES_HEADERS,
            sorted(style.ALTERNATES_ID_COLUMNS),
        )
        self._prepare_styles(self.mapping.current())

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is not None:
            self.discard()

    def discard(self) -> None:
        """Close the sheets' streams and delete their temporary files after a failure.

        A write-only sheet left open fails noisily when it is garbage collected.
        """
        for ws in self.workbook.worksheets:
            if ws._writer is None:
                continue
            if not ws.closed:
                ws.close()
            if os.path.exists(ws._writer.out):
                ws._writer.cleanup()
        logger.info("discarded report %s after %d rows", self.meta.report_id, self.rows)

    def _prepare_styles(self, ws) -> None:
        """Register the styles of the ID cells once, for every sheet series.

        A cell in a row element does not take its column's style, so each ID
        cell carries the Text format itself. The Integration-Mapping ID cells
        are also unlocked, since sheet protection locks a cell unless its own
        style unlocks it.
        """
        locked_text = _style_array(ws, number_format=style.TEXT_FORMAT)
        unlocked_text = _style_array(
            ws, number_format=style.TEXT_FORMAT, protection=style.UNLOCKED
        )
        for index, column in enumerate(layout.COLUMNS):
            if column.is_id:
                array = locked_text if column.locked else unlocked_text
                self.mapping.cell_styles[index] = array

        for series in (self.sis_users, self.alternates):
            for index in series.id_columns:
                series.cell_styles[index] = locked_text

    def _setup_mapping(self, ws) -> list[list]:
        style.set_mapping_columns(ws)
        style.freeze_mapping_header(ws)
        style.merge_bands(ws)

        return style.mapping_header_rows(ws)

    def _setup_side(self, headers, widths, text_columns):
        def setup(ws) -> list[list]:
            style.set_column_widths(ws, widths)
            style.set_text_columns(ws, text_columns)
            ws.freeze_panes = "A2"

            return [style.plain_header_row(ws, headers)]

        return setup

    def fit_row(self, values: Sequence, index: int) -> list:
        """Pad a row read back to the column count, and reject a longer row."""
        width = len(layout.COLUMNS)
        if len(values) > width:
            raise ExportError(
                f"Mapping row {index + style.FIRST_DATA_ROW} has {len(values)} "
                f"cells but a report has {width} columns. Remove the cells right "
                f"of column {style.LAST_LETTER} in the report and "
                f"{step('send_again')}."
            )

        row = [None if value == "" else value for value in values]
        row.extend([None] * (width - len(row)))

        return row

    def add_row(self, values: list, marked: Iterable[int] = ()) -> None:
        """Append one Mapping row, given in column order, to the current sheet.

        ``values`` is changed in place once it has been added to the digest.
        ``marked`` lists 0-based columns to fill red as bad.
        """
        self.digest.add(values)
        scenario = _scenario_number(values[layout.SCENARIO])
        if scenario is not None:
            self.scenario_counts[scenario] = self.scenario_counts.get(scenario, 0) + 1

        marked_styles = {column: self._mark_style(column) for column in marked}
        self.mapping.append(values, marked_styles)
        self.rows += 1

    def _mark_style(self, column: int) -> StyleArray:
        """Return the style of a marked cell: its column's style with a red fill."""
        if column not in self.mark_styles:
            layout_column = layout.COLUMNS[column]
            self.mark_styles[column] = _style_array(
                self.mapping.sheets[0],
                number_format=style.TEXT_FORMAT if layout_column.is_id else None,
                protection=style.LOCKED if layout_column.locked else style.UNLOCKED,
                fill=style.MARK_FILL,
            )

        return self.mark_styles[column]

    def add_sis_user(self, entry: list) -> None:
        self.sis_users.append(_padded(entry, len(style.SIS_USERS_HEADERS)))

    def add_alternates(self, values: list) -> None:
        self.alternates.append(_padded(values, len(style.ALTERNATES_HEADERS)))

    def save(self, target) -> WorkbookInfo:
        """Finish every sheet, save the workbook and return what was written."""
        # Every report has its sheets, even when a side has no rows.
        for series in (self.mapping, self.sis_users, self.alternates):
            if not series.sheets:
                series.current()

        self._finish_mapping_sheets()
        for ws in self.sis_users.sheets + self.alternates.sheets:
            style.protect_sheet(ws)
        summary = self._write_summary()
        self._write_meta()
        self._order_sheets(summary)
        _save_workbook(self.workbook, target)

        info = WorkbookInfo(
            digest=self.digest.hexdigest(),
            sheet_names=list(self.workbook.sheetnames),
            mapping_sheets=[ws.title for ws in self.mapping.sheets],
            rows=self.rows,
        )
        logger.info(
            "wrote report %s: %d rows on %d Mapping sheets, %d SIS users",
            self.meta.report_id,
            info.rows,
            len(info.mapping_sheets),
            sum(self.sis_users.counts),
        )

        return info

    def _finish_mapping_sheets(self) -> None:
        sis_sheets = [
            (ws.title, count)
            for ws, count in zip(
                self.sis_users.sheets, self.sis_users.counts, strict=True
            )
        ]
        for ws, count in zip(self.mapping.sheets, self.mapping.counts, strict=True):
            last_row = count + layout.HEADER_ROWS
            ws.auto_filter.ref = f"A{layout.HEADER_ROWS}:{style.LAST_LETTER}{last_row}"
            ws.data_validations.append(style.mapping_id_validation(sis_sheets))
            style.add_mapping_formatting(ws, last_row)
            style.protect_sheet(ws)

    def _write_summary(self):
        ws = self.workbook.create_sheet(layout.SUMMARY_SHEET)
        style.set_column_widths(ws, style.SUMMARY_WIDTHS)
        for values in _summary_rows(ws, self.meta, self.scenario_counts, self.rows):
            _escape_formulas(ws, values)
            ws.append(values)
        ws.add_chart(style.scenario_chart(ws), style.CHART_ANCHOR)
        style.protect_sheet(ws)
        self._check_counts()

        return ws

    def _check_counts(self) -> None:
        expected = {int(key): n for key, n in self.meta.counts.items() if n}
        written = {key: n for key, n in self.scenario_counts.items() if n}
        if self.meta.counts and expected != written:
            logger.warning(
                "report %s: scenario counts in the metadata differ from the rows "
                "written; the Summary shows the rows written",
                self.meta.report_id,
            )

    def _write_meta(self) -> None:
        ws = self.workbook.create_sheet(layout.META_SHEET)
        ws.sheet_state = "veryHidden"
        join = META_LIST_SEPARATOR.join
        values = {
            "report_id": self.meta.report_id,
            "format_version": str(self.meta.format_version),
            "digest": self.digest.hexdigest(),
            "rows": str(self.rows),
            "mapping_options": join(self.meta.mapping_options),
            "mapping_sheets": join(ws.title for ws in self.mapping.sheets),
            "sis_users_sheets": join(ws.title for ws in self.sis_users.sheets),
            "alternates_sheets": join(ws.title for ws in self.alternates.sheets),
            "generated_at": self.meta.generated_at,
        }
        for key in META_KEYS:
            row = [key, values[key] or None]
            _escape_formulas(ws, row)
            ws.append(row)
        style.protect_sheet(ws)

    def _order_sheets(self, summary) -> None:
        order = (
            [ws.title for ws in self.mapping.sheets]
            + [summary.title]
            + [ws.title for ws in self.alternates.sheets]
            + [ws.title for ws in self.sis_users.sheets]
            + [layout.META_SHEET]
        )
        for position, title in enumerate(order):
            current = self.workbook.sheetnames.index(title)
            self.workbook.move_sheet(title, position - current)
        self.workbook.active = 0


def _scenario_number(value) -> int | None:
    """Return a Scenario cell as a whole number, or None for an edited cell."""
    if type(value) is int:
        return value

    text = layout.cell_text(value)

    return int(text) if text.isdigit() else None


def _padded(values: list, width: int) -> list:
    """Pad a side sheet row read back with fewer cells than the headers."""
    if len(values) < width:
        values = values + [None] * (width - len(values))

    return values


def _side_sheet_namer(base: str) -> Callable[[int], str]:
    def name_of(index: int) -> str:
        return base if index == 0 else f"{base} {index + 1}"

    return name_of


def _summary_rows(ws, meta: ReportMeta, counts: dict[int, int], rows: int):
    """Yield the Summary rows at the places that ``style.SUMMARY_LAYOUT`` sets."""
    summary = style.SUMMARY_LAYOUT
    header = style.plain_header_row

    yield [style.styled_cell(ws, style.SUMMARY_TITLE, font=style.TITLE_FONT)]
    yield []
    facts = (
        meta.report_id,
        meta.generated_at,
        ", ".join(meta.mapping_options),
        meta.format_version,
        rows,
    )
    for label, value in zip(style.SUMMARY_FACTS, facts, strict=True):
        yield [style.styled_cell(ws, label, font=style.HEADER_FONT), value or None]
    for _ in range(
        summary.facts_row + len(style.SUMMARY_FACTS), summary.counts_header_row
    ):
        yield []

    yield header(ws, style.COUNTS_HEADERS)
    for scenario, description in style.SCENARIO_DESCRIPTIONS.items():
        yield [scenario, description, counts.get(scenario, 0)]
    total = sum(counts.get(scenario, 0) for scenario in style.SCENARIO_DESCRIPTIONS)
    yield [style.styled_cell(ws, "Total", font=style.HEADER_FONT), None, total]
    for _ in range(summary.total_row + 1, summary.sources_header_row):
        yield []

    yield header(ws, style.SOURCES_HEADERS)
    for side, name, file_format, source_rows in meta.sources:
        yield [side, name, file_format, source_rows]
    yield []

    yield header(ws, ("Warnings",))
    for warning in meta.warnings:
        yield [warning]


def _save_workbook(workbook: Workbook, target) -> None:
    """Save to a path through a temporary file, so a failure leaves no partial file."""
    if not isinstance(target, str | os.PathLike):
        workbook.save(target)
        return

    # A random name in the target's folder, not mkstemp, so that the file gets
    # the permissions of the umask like any other file the user creates.
    path = Path(target)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
