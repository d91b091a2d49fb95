"""Check an .xlsx package's parts before a spreadsheet parser unpacks them.

An .xlsx file is a ZIP archive of XML parts. A parser inflates every part it
reads, so a small archive whose parts inflate a thousandfold (a "zip bomb")
can take gigabytes of memory. ``package_problem`` rejects that from the ZIP
directory alone, before anything is inflated.

python-calamine reads the saved value of a formula cell, and an empty cell
when the program that wrote the file saved no value. ``unsaved_formulas``
finds those cells, so that validation can report them instead of reading them
as blank.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable

from lxml import etree

MIB = 1 << 20
GIB = 1 << 30

# The parts of a 30,000-user report inflate 6 to 13 times, as measured on one
# that openpyxl wrote. A part of names and IDs that inflates more than 100
# times is padding, not data. Parts under 1 MiB are left alone at any ratio.
MAX_RATIO = 100
RATIO_FLOOR = MIB

# A 1,000,000-user report inflates to about 1.4 GB, an estimate from the
# 30,000-user report's 40 MB Mapping sheet.
MAX_UNPACKED = 4 * GIB

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

SCAN_CHUNK = 4 * MIB
CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def package_problem(
    archive: zipfile.ZipFile,
    max_unpacked: int = MAX_UNPACKED,
    members: list[zipfile.ZipInfo] | None = None,
) -> str | None:
    """Describe why the archive is unsafe to unpack, or return None.

    ``members`` limits the check to the parts that will be read, such as the
    users.csv of a OneRoster archive. The sentence starts after the file name,
    as in "{name} {problem}".
    """
    total = 0
    for info in archive.infolist() if members is None else members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            return (
                f"contains the part {info.filename}, which unpacks from "
                f"{size_text(info.compress_size)} to {size_text(info.file_size)}, "
                f"{ratio:,.0f} times its size. No export of names and IDs "
                "compresses that far, so the file was not read. Export it "
                "again, or save the workbook again from Excel."
            )

    if total > max_unpacked:
        return (
            f"unpacks to {size_text(total)}, more than the limit of "
            f"{size_text(max_unpacked)}, so the file was not read. Split the "
            "data into smaller files, or export it as CSV."
        )

    return None


def size_text(size: int) -> str:
    """Show a byte count in the largest unit that keeps it at 1 or more."""
    if size >= GIB:
        return f"{size / GIB:.1f} GiB"
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"

    return f"{size} bytes"


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet name to the path of its worksheet part in the archive."""
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    relations = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for relation in relations.iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        target = relation.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        targets[relation.get("Id")] = path

    parts = {}
    for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
        part = targets.get(sheet.get(f"{{{REL_NS}}}id"))
        if part is not None:
            parts[sheet.get("name")] = part

    return parts


def unsaved_formulas(
    archive: zipfile.ZipFile, sheets: Iterable[str]
) -> dict[str, dict[tuple[int, int], str]]:
    """Find the formula cells that have no saved value on the given sheets.

    Returns, per sheet that has any, a map from (Excel row, 0-based column) to
    the formula text. Most sheets have no formula at all, so each part is
    first searched as bytes and parsed only when a formula element appears.
    """
    parts = sheet_parts(archive)
    found = {}
    for sheet in sheets:
        part = parts.get(sheet)
        if part is None or not _has_formula(archive, part):
            continue

        cells = _formula_cells(archive, part)
        if cells:
            found[sheet] = cells

    return found


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            # A tag split between two chunks is found where they join.
            if _formula_tag_in(tail + chunk[:16]) or _formula_tag_in(chunk):
                return True
            tail = chunk[-16:]

    return False


def _formula_tag_in(data: bytes) -> bool:
    """Tell whether the XML bytes contain a cell formula element.

    ``bytes.find`` runs at memory speed where a regular expression took
    twice as long as inflating the part. A cell formula is ``<f>``, ``<f ...``
    or ``<f/>``, or ``<x:f ...`` with a namespace prefix. The ``<formula>``
    elements of conditional formatting are the only other tags that start so.
    """
    for start in (b"<f", b":f"):
        position = data.find(start)
        while position != -1:
            if data[position + 2 : position + 3] in (b">", b" ", b"/", b"\t"):
                return True
            position = data.find(start, position + 2)

    return False


def _formula_cells(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    cells = {}
    cell_tag = f"{{{MAIN_NS}}}c"
    with archive.open(part) as stream:
        for _event, cell in etree.iterparse(stream, tag=cell_tag, huge_tree=True):
            formula = cell.find(f"{{{MAIN_NS}}}f")
            if formula is not None:
                value = cell.find(f"{{{MAIN_NS}}}v")
                if value is None or not (value.text or "").strip():
                    position = _cell_position(cell.get("r", ""))
                    if position is not None:
                        cells[position] = formula.text or ""
            cell.clear(keep_tail=True)

    return cells


def _cell_position(reference: str) -> tuple[int, int] | None:
    """Turn ``W43`` into (43, 22): the Excel row and the 0-based column."""
    match = CELL_REF.fullmatch(reference)
    if match is None:
        return None

    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1

    return int(match.group(2)), column - 1
