"""Open one export file as a table of text rows: encoding, delimiter, headers.

A CSV file is read as UTF-8 (with or without a byte order mark), as UTF-16
when it starts with a UTF-16 byte order mark (Excel's "Unicode Text"), and
otherwise as Windows-1252 with a warning. The delimiter is the comma, tab,
semicolon or pipe that occurs most often in the header line. An ``.xlsx``,
``.xlsm``, ``.xls`` or ``.ods`` file is read from its first sheet.

Every value stays text. Header names are compared after ``header_key`` drops
case, spaces and punctuation, so "E-Mail ", "email" and "e_mail" are one name.
"""

from __future__ import annotations

import codecs
import csv
import gc
import logging
import operator
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import ExportError
from ..model import parse_role
from ..plural import counted

logger = logging.getLogger(__name__)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
SAMPLE_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024

# A quoted field may contain line breaks, but a field this long almost always
# means a quote that was never closed and swallowed the rest of the file.
FIELD_SIZE_LIMIT = 1024 * 1024

# Some exports put a title such as "Schoology user export" above the header
# row. At most this many non-blank lines above it are taken for a title.
MAX_TITLE_LINES = 5

# PowerSchool exports may spell a column with its table, as "Students.DCID"
# or "[Teachers]Email_Addr". Only these table names are dropped, so that
# dotted names such as OneRoster's "metadata.jp.kanaGivenName" stay distinct.
TABLE_PREFIX = re.compile(
    r"^\s*(?:\[(?:students|teachers|schoolstaff|users)\]"
    r"|(?:students|teachers|schoolstaff|users)\.)",
    re.IGNORECASE,
)
NOT_ALPHANUMERIC = re.compile(r"[\W_]+")
SEPARATOR_LINE = re.compile(r"^sep=(.)\s*$")

# Numbers at or above 2**53 cannot be held exactly by a float, so a spreadsheet
# has already rounded them (Excel keeps 15 significant digits).
EXACT_FLOAT_LIMIT = 2**53

# How many cells or lines a warning names before it only counts the rest.
MAX_NAMED = 5
# How many header names a message about a missing column quotes.
MAX_LISTED_HEADERS = 20

# C0 control characters other than tab, line feed and carriage return, which
# an xlsx cell cannot store, and the byte order mark, which is invisible but
# makes two equal IDs differ. Files are searched for them once, so that only
# a file that has one pays for a check of every value.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
SUSPECT_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufeff]")
BYTE_ORDER_MARK = "\ufeff"

# The most characters that an Excel cell holds (Excel specifications and
# limits, Excel 2007 and later).
EXCEL_CELL_LIMIT = 32_767

# Excel shows a number of 12 or more digits as "1.23457E+16" and saves it that
# way in a CSV file, so the ID's digits are gone. Excel always writes the plus
# sign, so an ID such as "1E5" is kept as it is.
SCIENTIFIC_HINT = re.compile(r"\d[eE]\+\d")
SCIENTIFIC_NUMBER = re.compile(r"\d+(?:\.\d+)?[eE]\+\d+")


# Role names repeat on nearly every row, so each distinct name is parsed once.
cached_parse_role = lru_cache(maxsize=1024)(parse_role)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while many objects are created.

    Reading creates one object per row and none of them form cycles, but
    each generation-2 collection walks every object read so far, which made
    a 1,000,000-row read about twice as slow.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def header_key(name: str) -> str:
    """Reduce a header name to the form used for comparison: "E-Mail " -> "email"."""
    name = TABLE_PREFIX.sub("", name)

    return NOT_ALPHANUMERIC.sub("", name).casefold()


def quote_headers(headers: list[str]) -> str:
    """Quote the non-blank header names for a message, at most MAX_LISTED_HEADERS."""
    names = [header for header in headers if header.strip()]
    text = ", ".join(f"'{name}'" for name in names[:MAX_LISTED_HEADERS])
    if len(names) > MAX_LISTED_HEADERS:
        text += f", and {len(names) - MAX_LISTED_HEADERS} more"

    return text


def list_places(places: list, unit: str) -> str:
    """Format up to MAX_NAMED line numbers or cells, counting the rest."""
    named = ", ".join(str(place) for place in places[:MAX_NAMED])
    rest = len(places) - MAX_NAMED
    plural = "s" if len(places) > 1 else ""
    text = f"{unit}{plural} {named}"
    if rest > 0:
        text += f" and {rest} more"

    return text


@dataclass
class Table:
    """The header and rows of one CSV file or worksheet.

    ``unit`` is "line" for CSV and "row" for a worksheet, and ``rows()``
    yields each data row with its 1-based line or row number. A row is a list
    of exactly ``len(headers)`` strings.
    """

    path: Path
    headers: list[str]
    unit: str
    header_line: int = 1
    warnings: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str = ""
    numeric_cells: dict[int, list[str]] = field(default_factory=dict)
    separator_line: bool = False
    title_rows: int = 0
    suspect_characters: bool = False
    scientific_notation: bool = False
    long_lines: bool = False
    scientific_cells: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # The lines padded because they had fewer values than the header, with
    # their count of values.
    short_rows: dict[int, int] = field(default_factory=dict)
    _rows: Callable[[], Iterator[tuple[int, list[str]]]] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def keys(self) -> dict[str, int]:
        """Map each header key to the index of the first column with that name."""
        keys: dict[str, int] = {}
        for index, header in enumerate(self.headers):
            key = header_key(header)
            if key and key not in keys:
                keys[key] = index

        return keys

    def has(self, name: str) -> bool:
        """Return True when the table has a column of that name."""
        return header_key(name) in self.keys

    def where(self, number: int) -> str:
        """Name a place in this file for a message: "users.csv, line 7"."""
        if self.sheet:
            return f"{self.name}, sheet '{self.sheet}', row {number}"

        return f"{self.name}, line {number}"

    def blank_error(self, line: int, what: str, fix: str) -> ExportError:
        """Build the error for a blank required value, such as the SIS key.

        When the row had fewer values than the header, the blank is most
        likely a row split in two, so the message names that cause in place of
        ``fix``.
        """
        values = self.short_rows.get(line)
        if values is None:
            return ExportError(f"{self.where(line)}: {what} is blank. {fix}")

        return ExportError(
            f"{self.where(line)}: the row has only {values} of the "
            f"{len(self.headers)} values that the header names, so {what} is "
            "blank. A line break inside an unquoted value splits one row into "
            "two. Put that value in double quotes, or export the file again."
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        yield from self._rows()

    def picker(self, indexes: list[int | None]) -> Callable[[list[str]], tuple]:
        """Build a function that returns a row's values at ``indexes`` as a tuple.

        A None index stands for a column that the file lacks, which reads as
        "". One ``itemgetter`` call per row is much faster than a Python
        lookup per field.
        """
        width = len(self.headers)
        getter = operator.itemgetter(
            *(width if index is None else index for index in indexes)
        )
        if all(index is not None for index in indexes):
            return getter

        return lambda row: getter(row + [""])

    def column(self, names: tuple[str, ...], required: bool = True) -> int | None:
        """Find the column named by one of ``names``.

        The first name is the one that messages use.
        """
        keys = self.keys
        for name in names:
            index = keys.get(header_key(name))
            if index is not None:
                self._check_unique(index)
                return index

        if not required:
            return None

        found = quote_headers(self.headers)
        others = ""
        if len(names) > 1:
            others = " (or " + ", ".join(f"'{name}'" for name in names[1:]) + ")"
        raise ExportError(
            f"{self.name}: the required column '{names[0]}'{others} is missing. "
            f"The header row contains {found or 'no names'}. "
            "Export the file again with that column, or rename the column."
        )

    def _check_unique(self, index: int) -> None:
        key = header_key(self.headers[index])
        same = [i for i, header in enumerate(self.headers) if header_key(header) == key]
        if len(same) > 1:
            names = " and ".join(
                f"'{self.headers[i]}' (column {i + 1})" for i in same[:2]
            )
            raise ExportError(
                f"{self.name}: the columns {names} have the same name, so it is "
                "not clear which one to read. Rename or remove one of them."
            )

    def warn_numeric(self, index: int | None) -> None:
        """Warn about ID cells that a spreadsheet stored as numbers."""
        cells = self.numeric_cells.get(index) if index is not None else None
        if not cells:
            return

        header = self.headers[index]
        self.warnings.append(
            f"{self.name}, sheet '{self.sheet}': {counted(len(cells), 'value')} in "
            f"the ID column '{header}' "
            f"{'is stored as a number' if len(cells) == 1 else 'are stored as numbers'}"
            f" ({list_places(cells, 'cell')}). "
            "Leading zeros and digits past the 15th that the spreadsheet dropped "
            "cannot be restored, so each value was read as the integer shown. "
            "Format the column as Text and type those IDs again if any of them "
            "began with 0 or had more than 15 digits."
        )

    def check_scientific_key(self, index: int | None, label: str = "") -> None:
        """Raise for a key that Excel saved in scientific notation.

        The check runs after the rows were read, because only that pass
        records such values.
        """
        cells = self.scientific_cells.get(index) if index is not None else None
        if not cells:
            return

        line, value = cells[0]
        header = label or self.headers[index]
        raise ExportError(
            f"{self.where(line)}: the {header} '{value}' is a number in scientific "
            "notation, which Excel writes when it opens and saves a long ID, so "
            "its digits are lost. Export the file again and pass it on without "
            "opening it in Excel."
        )

    def warn_scientific(self, index: int | None) -> None:
        """Warn about ID values that Excel saved in scientific notation."""
        cells = self.scientific_cells.get(index) if index is not None else None
        if not cells:
            return

        shown = ", ".join(
            f"{self.unit} {line}: '{value}'" for line, value in cells[:MAX_NAMED]
        )
        if len(cells) > MAX_NAMED:
            shown += f" and {len(cells) - MAX_NAMED} more"
        self.warnings.append(
            f"{self.name}: {counted(len(cells), 'value')} in the ID column "
            f"'{self.headers[index]}' "
            f"{'is a number' if len(cells) == 1 else 'are numbers'} in scientific "
            f"notation ({shown}), "
            "which Excel writes when it saves a long ID. Their digits are lost, "
            "so those users cannot match on unique-id. Export the file again "
            "and pass it on without opening it in Excel."
        )


def open_table(path: str | Path) -> Table:
    """Open a CSV file or the first sheet of a workbook as a Table.

    :raise ExportError: when the file is missing, empty, binary, not text in a
        known encoding, or has no header row.
    """
    path = Path(path)
    if not path.is_file():
        problem = "a folder, not a file" if path.is_dir() else "not found"
        raise ExportError(f"{path}: the export file is {problem}. Check the path.")

    with path.open("rb") as stream:
        sample = stream.read(SAMPLE_BYTES)

    if not sample.strip():
        raise ExportError(
            f"{path.name}: the file is empty. Export it again from the system."
        )

    if path.suffix.lower() in WORKBOOK_SUFFIXES or sample.startswith(b"PK\x03\x04"):
        from .workbook import open_workbook

        return open_workbook(path, sample)

    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        from .workbook import open_workbook

        return open_workbook(path, sample)

    return open_csv(path, sample)


def choose_encoding(path: Path, sample: bytes) -> tuple[str, list[str], TextScan]:
    """Pick the text encoding of a CSV file and the warnings that it causes.

    The scan of the text in that encoding comes back too.
    """
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        scan = scan_text(path, "utf-16")
        if not scan.valid:
            raise ExportError(
                f"{path.name}: the file starts as UTF-16 text but is not valid "
                "UTF-16 throughout. Save the export again as CSV UTF-8."
            )
        return "utf-16", [], scan

    if is_binary(sample):
        raise ExportError(
            f"{path.name}: the file contains binary data (NUL bytes), so it is "
            "not a CSV export. Save the export as CSV (comma, tab or semicolon "
            "separated) or as an .xlsx workbook. A UTF-16 file without a byte "
            "order mark looks the same, so save such a file as CSV UTF-8."
        )

    scan = scan_text(path, "utf-8")
    if scan.valid:
        return "utf-8-sig", [], scan

    check_not_mixed(path)
    scan = scan_text(path, "cp1252")
    if sample.startswith(codecs.BOM_UTF8) or not scan.valid:
        raise ExportError(
            f"{path.name}: the file is neither UTF-8 nor Windows-1252 text, so "
            "its names cannot be read reliably. Save the export again as CSV "
            "UTF-8."
        )

    warning = (
        f"{path.name}: the file is not valid UTF-8, so it was read as "
        "Windows-1252. Check that accented names look right, or save the "
        "export as CSV UTF-8."
    )

    return "cp1252", [warning], scan


def is_binary(sample: bytes) -> bool:
    """Return True for a sample with NUL bytes that is not text around them.

    A text export with a stray NUL is left to the row check, which names the
    line. One NUL in four bytes is UTF-16 without a byte order mark, or binary.
    """
    nuls = sample.count(b"\x00")
    if not nuls:
        return False

    if nuls * 4 > len(sample):
        return True

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample.replace(b"\x00", b""))
    except UnicodeDecodeError:
        return True

    return False


@dataclass(frozen=True, slots=True)
class TextScan:
    """What one pass over a file's text found.

    ``suspect`` is True when the text contains a SUSPECT_CHARACTER other than
    a byte order mark at the start, ``scientific`` when it contains something
    like "4E+3" (see SCIENTIFIC_HINT), and ``long_lines`` when a line is
    longer than EXCEL_CELL_LIMIT, so that a value may be too.
    """

    valid: bool
    suspect: bool = False
    scientific: bool = False
    long_lines: bool = False


def scan_text(path: Path, encoding: str) -> TextScan:
    """Decode the whole file incrementally, and search it for suspect text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    suspect = scientific = long_lines = False
    start = True
    # The end of the previous chunk, so that "4E+3" split by a chunk is found.
    tail = ""
    # The length of the line that the previous chunk ended in.
    open_line = 0
    with path.open("rb") as stream:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                text = decoder.decode(chunk)
                if start and text:
                    text = text.removeprefix(BYTE_ORDER_MARK)
                    start = False
                if not suspect and SUSPECT_CHARACTER.search(text):
                    suspect = True
                if not scientific and SCIENTIFIC_HINT.search(tail + text):
                    scientific = True
                tail = text[-3:]
                if not long_lines:
                    lengths = [len(line) for line in text.split("\n")]
                    lengths[0] += open_line
                    long_lines = max(lengths) > EXCEL_CELL_LIMIT
                    open_line = lengths[-1]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return TextScan(valid=False)

    return TextScan(
        valid=True, suspect=suspect, scientific=scientific, long_lines=long_lines
    )


def check_not_mixed(path: Path) -> None:
    """Raise for a file whose lines are partly UTF-8 and partly another encoding.

    Such a file comes from joining exports saved with different encodings.
    Read as Windows-1252, its UTF-8 names would turn into "ZoÃ«".
    """
    utf8_line = bad_line = 0
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if raw.isascii():
                continue

            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_line = bad_line or number
            else:
                utf8_line = utf8_line or number
            if utf8_line and bad_line:
                break

    if utf8_line and bad_line:
        raise ExportError(
            f"{path.name}, line {bad_line}: the line is not UTF-8 text, but line "
            f"{utf8_line} is, so the file mixes two encodings and some names "
            "would be garbled. Save the whole export again as CSV UTF-8."
        )


def delimiter_name(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, f"'{delimiter}'")


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter that occurs most often outside quotes in the header."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])

    return best if counts[best] else ","


def leading_lines(path: Path, encoding: str, count: int) -> list[tuple[int, str]]:
    """Read the first ``count`` non-blank lines of a text file, with their numbers.

    A line of only delimiters and quotes counts as blank, as it does for the
    rows. Each line is read up to FIELD_SIZE_LIMIT characters, so a file
    without line breaks is not loaded whole.

    :raise ExportError: for a line longer than FIELD_SIZE_LIMIT characters.
    """
    lines: list[tuple[int, str]] = []
    number = 0
    with path.open(encoding=encoding, newline="") as stream:
        while len(lines) < count and (text := stream.readline(FIELD_SIZE_LIMIT + 1)):
            number += 1
            if len(text) > FIELD_SIZE_LIMIT:
                raise ExportError(
                    f"{path.name}, line {number}: the line is longer than "
                    f"{FIELD_SIZE_LIMIT:,} characters, so the file is not a CSV "
                    "export of users. Export the users again."
                )
            if text.strip(' \t\r\n,;|"'):
                lines.append((number, text))

    return lines


def split_line(text: str, delimiter: str) -> list[str]:
    """Split one line into values, or return it whole when it is not valid CSV."""
    try:
        return next(csv.reader([text], delimiter=delimiter), [text])
    except csv.Error:
        return [text]


def header_index(candidates: list[list[str]]) -> int:
    """Pick which of the first non-blank rows is the header row.

    The first row whose names are those of a known export wins, and otherwise
    the first row with two or more names. A row above it is a title.
    """
    from .detect import GENERIC, detect_table

    for index, names in enumerate(candidates):
        if detect_table(Table(Path(), list(names), "line")) != GENERIC:
            return index

    for index, names in enumerate(candidates):
        if sum(1 for name in names if name.strip()) >= 2:
            return index

    return 0


def title_warning(table: Table, titles: list[str]) -> str:
    """Describe the title lines skipped above the header row."""
    shown = ", ".join(f"'{title.strip()[:60]}'" for title in titles)
    if len(titles) == 1:
        skipped = f"the {table.unit} above it was skipped ({shown})"
    else:
        skipped = f"the {len(titles)} {table.unit}s above it were skipped ({shown})"
    place = f"{table.name}, sheet '{table.sheet}'" if table.sheet else table.name

    return (
        f"{place}: the header row is {table.unit} {table.header_line}, so "
        f"{skipped}. Check that the report shows the right columns."
    )


def open_csv(path: Path, sample: bytes) -> Table:
    """Read the header of a CSV file and prepare to stream its rows."""
    encoding, warnings, scan = choose_encoding(path, sample)
    lines = leading_lines(path, encoding, MAX_TITLE_LINES + 2)
    first = lines[0][1] if lines else ""

    if first.lstrip().startswith("<"):
        raise ExportError(
            f"{path.name}: the file is an HTML or XML page, not a CSV export. "
            "Download the export again, and check that the download finished."
        )

    # Excel writes and reads a first line such as "sep=;" to name the
    # delimiter of a CSV file.
    separator = SEPARATOR_LINE.match(first)
    candidates = [text for _number, text in lines[1 if separator else 0 :]]
    if separator:
        delimiter = separator.group(1)
        rows = [split_line(text, delimiter) for text in candidates]
    else:
        rows = [split_line(text, sniff_delimiter(text)) for text in candidates]
    title_rows = header_index(rows[: MAX_TITLE_LINES + 1]) if rows else 0
    if not separator:
        delimiter = sniff_delimiter(candidates[title_rows]) if candidates else ","
    table = Table(
        path=path,
        headers=[],
        unit="line",
        warnings=warnings,
        encoding=encoding,
        delimiter=delimiter,
        separator_line=bool(separator),
        title_rows=title_rows,
        suspect_characters=scan.suspect,
        scientific_notation=scan.scientific,
        long_lines=scan.long_lines,
    )
    table._rows = lambda: read_csv_rows(table)
    for _ in read_csv_rows(table, header_only=True):
        pass

    if not any(header.strip() for header in table.headers):
        raise ExportError(
            f"{path.name}: the first line contains no column names. The file must "
            "start with a header row."
        )

    if title_rows:
        table.warnings.append(title_warning(table, candidates[:title_rows]))

    if len(table.headers) == 1:
        raise ExportError(
            f"{path.name}: the header row contains only one column name "
            f"('{table.headers[0][:60]}'), so the file is not comma, tab, "
            "semicolon or pipe separated. Save the export as CSV."
        )

    logger.info(
        "Opened a CSV file: encoding %s, %s separated, %d columns",
        encoding,
        delimiter_name(delimiter),
        len(table.headers),
    )

    return table


def read_csv_rows(
    table: Table, header_only: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Stream the data rows of a CSV table, each padded to the header's width.

    The header is read again on every pass, so ``rows()`` may be called twice.

    :raise ExportError: for a row with more fields than the header (most often
        an unquoted delimiter inside a value) or a malformed quote.
    """
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    with table.path.open(encoding=table.encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=table.delimiter, strict=True)
        line = 1
        short: list[int] = []
        marked: list[int] = []
        seen_header = False
        # The "sep=" line and any title lines come before the header row.
        skip_rows = int(table.separator_line) + table.title_rows
        try:
            for row in reader:
                start, line = line, reader.line_num + 1
                # Spreadsheets save rows of empty cells below the data.
                if not "".join(row).strip():
                    continue

                if skip_rows:
                    skip_rows -= 1
                    continue

                if table.suspect_characters and clean_row(table, row, start):
                    marked.append(start)

                if not seen_header:
                    seen_header = True
                    table.headers = [sys.intern(name.strip()) for name in row]
                    table.header_line = start
                    if header_only:
                        return
                    continue

                if row[0].strip() == table.headers[0]:
                    check_not_header(table, row, start)
                if table.scientific_notation:
                    record_scientific(table, row, start)
                if table.long_lines:
                    check_lengths(table, row, start)
                if len(row) < len(table.headers):
                    short.append(start)
                yield start, fit_row(table, row, start)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ExportError(
                    f"{table.where(line)}: a value is longer than "
                    f"{FIELD_SIZE_LIMIT:,} characters, which no field of an "
                    "export needs. Either the file is damaged, or a quote mark "
                    '(") opens a value that is never closed. Export the file '
                    "again."
                ) from None
            raise ExportError(
                f"{table.where(line)}: the row is not valid CSV ({error}). A "
                'quote mark (") probably opens a value that is never closed. '
                "Remove the stray quote or put the whole value in quotes."
            ) from None

    if marked:
        table.warnings.append(
            f"{table.name}: {counted(len(marked), 'row contains', 'rows contain')} "
            "a byte order mark (U+FEFF) "
            f"inside the file ({list_places(marked, table.unit)}), which was "
            "removed. This happens when two exports are joined into one file, so "
            "check that no rows are repeated."
        )
    if short:
        table.warnings.append(
            f"{table.name}: {counted(len(short), 'row has', 'rows have')} fewer "
            "values than the header "
            f"({list_places(short, 'line')}), so the missing values were read as "
            "blank. Check those rows: a line break inside an unquoted value splits "
            "one row into two."
        )


def clean_row(table: Table, row: list[str], line: int) -> bool:
    """Remove byte order marks from a row, and raise for a control character.

    Return True when a byte order mark was removed.
    """
    removed = False
    for index, value in enumerate(row):
        if not SUSPECT_CHARACTER.search(value):
            continue

        if BYTE_ORDER_MARK in value:
            value = row[index] = value.replace(BYTE_ORDER_MARK, "")
            removed = True
        check_value(table, line, index, value)

    return removed


def check_value(table: Table, line: int, index: int, value: str) -> None:
    """Raise when a value contains a control character that xlsx cannot store."""
    found = CONTROL_CHARACTER.search(value)
    if found is None:
        return

    if index < len(table.headers) and table.headers[index]:
        column = f"column '{table.headers[index]}'"
    else:
        column = f"column {index + 1}"
    raise ExportError(
        f"{table.where(line)}, {column}: the value contains the control "
        f"character U+{ord(found.group()):04X}, which a report cannot hold. "
        "Remove it in the SIS or in the file (Excel's CLEAN function removes "
        "such characters), then run the report again."
    )


def record_scientific(table: Table, row: list[str], line: int) -> None:
    """Record the values of a row that look like Excel's scientific notation."""
    for index, value in enumerate(row):
        if "+" in value and SCIENTIFIC_NUMBER.fullmatch(value.strip()):
            table.scientific_cells.setdefault(index, []).append((line, value.strip()))


def check_lengths(table: Table, row: list[str], line: int) -> None:
    """Raise for a value longer than an Excel cell holds."""
    for index, value in enumerate(row):
        if len(value) <= EXCEL_CELL_LIMIT:
            continue

        header = table.headers[index] if index < len(table.headers) else ""
        column = f"column '{header}'" if header else f"column {index + 1}"
        raise ExportError(
            f"{table.where(line)}, {column}: the value is {len(value):,} "
            f"characters long, but an Excel cell holds at most "
            f"{EXCEL_CELL_LIMIT:,}. Shorten it in the SIS or in the file, then "
            "run the report again."
        )


def check_not_header(table: Table, row: list[str], line: int) -> None:
    """Raise for a data row that repeats the header row."""
    if [value.strip() for value in row] != table.headers:
        return

    raise ExportError(
        f"{table.where(line)}: the row repeats the header row, so the file looks "
        "like two exports joined into one. Delete the repeated header row, or "
        "export the users again as one file."
    )


def check_row_delimiter(table: Table, value: str, line: int) -> None:
    """Raise when a one-value row is separated by another delimiter than the header."""
    others = [d for d in DELIMITERS if d != table.delimiter and d in value]
    if not others:
        return

    used = max(others, key=value.count)
    raise ExportError(
        f"{table.where(line)}: the row is {delimiter_name(used)} separated but the "
        f"header row is {delimiter_name(table.delimiter)} separated, so the row "
        "reads as one value. Save the whole file again with one delimiter."
    )


def check_split_row(table: Table, values: int, line: int) -> None:
    """Raise when a short row and the short row before it make one row together.

    A line break inside an unquoted value ends the row early, and the rest
    of it becomes a row of its own. Read as two people, the second half would
    become a user whose key is a piece of the first one's values.
    """
    before = table.short_rows.get(line - 1)
    if table.sheet or before is None or before + values - 1 != len(table.headers):
        return

    raise ExportError(
        f"{table.name}, lines {line - 1} and {line}: the two rows have {before} "
        f"and {values} values, which make one row of {len(table.headers)} "
        "together, so a line break inside an unquoted value splits one row in "
        "two. Put that value in double quotes, or export the file again."
    )


def fit_row(table: Table, row: list[str], line: int) -> list[str]:
    """Pad a short row, or raise for a row with more values than the header."""
    width = len(table.headers)
    if len(row) == width:
        return row

    if len(row) < width:
        if len(row) == 1 and not table.sheet:
            check_row_delimiter(table, row[0], line)
        check_split_row(table, len(row), line)
        table.short_rows[line] = len(row)
        row.extend([""] * (width - len(row)))

        return row

    if table.sheet:
        extra = next(i for i in range(width, len(row)) if row[i].strip())
        raise ExportError(
            f"{table.where(line)}: the row has a value in column "
            f"{extra + 1} but the header row names only {width} columns. Add a "
            "column name above that value or delete it."
        )

    name = delimiter_name(table.delimiter)
    raise ExportError(
        f"{table.where(line)}: the row has {len(row)} values but the header has "
        f"{width} columns. A value probably contains an unquoted {name}, for "
        f"example in a name such as 'Smith, Jr.'. Put that value in double "
        "quotes, or export the file again with all values quoted."
    )
