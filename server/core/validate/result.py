"""The verdict on an uploaded report: per row, in totals, as JSON and in a copy.

Every row gets a level (``error``, ``warning`` or ``ok``), its messages and the
layout indexes of its bad cells. The same result fills the Status column of an
annotated copy of the workbook and the API's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import layout

ERROR = "error"
WARNING = "warning"
OK = "ok"

# A Status cell holds every message of its row up to this many characters,
# well below Excel's limit of 32,767 characters per cell.
MAX_STATUS_CHARS = 2000


@dataclass(slots=True)
class Issue:
    """One finding: its level, a full-sentence message, and the bad column."""

    level: str
    message: str
    column: int | None = None


@dataclass(slots=True)
class RowResult:
    """The findings for one uploaded row, with where it sits in the workbook."""

    sheet: str
    row: int
    key: str
    mapping_id: str = ""
    issues: list[Issue] = field(default_factory=list)

    @property
    def level(self) -> str:
        if not self.issues:
            return OK

        levels = {issue.level for issue in self.issues}
        if ERROR in levels:
            return ERROR

        return WARNING if WARNING in levels else OK

    @property
    def messages(self) -> list[str]:
        """List the messages, errors first."""
        errors = [i.message for i in self.issues if i.level == ERROR]

        return errors + [i.message for i in self.issues if i.level == WARNING]

    @property
    def columns(self) -> list[int]:
        """List the layout indexes of the cells to mark, in column order."""
        return sorted({i.column for i in self.issues if i.column is not None})

    def status_text(self) -> str:
        """Return the Status text: ``OK``, ``Warning: ...`` or ``Error: ...``."""
        level = self.level
        if level == OK:
            return "OK"

        text = f"{level.capitalize()}: {' '.join(self.messages)}"
        if len(text) > MAX_STATUS_CHARS:
            text = text[: MAX_STATUS_CHARS - 1] + "…"

        return text


@dataclass(slots=True)
class ValidationResult:
    """The findings for a whole upload.

    ``rows`` follows the order of ``UploadedReport.rows``. ``notes`` are
    warnings that belong to no uploaded row: deleted rows and ignored columns.
    ``deleted`` counts the stored rows missing from the upload.
    """

    report_id: str
    name: str
    source_digest: str
    rows: list[RowResult]
    notes: list[str] = field(default_factory=list)
    deleted: int = 0

    @property
    def has_errors(self) -> bool:
        return any(row.level == ERROR for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        """Count rows per level, rows with an Integration-Mapping ID, deleted rows."""
        counts = {OK: 0, WARNING: 0, ERROR: 0}
        for row in self.rows:
            counts[row.level] += 1

        return {
            "rows": len(self.rows),
            **counts,
            "ids": sum(1 for row in self.rows if row.mapping_id),
            "deleted": self.deleted,
        }

    def first_error(self) -> RowResult | None:
        return next((row for row in self.rows if row.level == ERROR), None)

    def statuses(self) -> dict[int, str]:
        """Map each row's 0-based index to its Status text, for the writer."""
        return {index: row.status_text() for index, row in enumerate(self.rows)}

    def marks(self) -> dict[int, set[int]]:
        """Map each row index with bad cells to their layout column indexes."""
        marks = {}
        for index, row in enumerate(self.rows):
            columns = row.columns
            if columns:
                marks[index] = set(columns)

        return marks

    def to_json(self, *, include_ok: bool = True) -> dict:
        """Build the API's answer: totals, notes and the rows' findings.

        With ``include_ok=False`` only rows with a warning or an error are
        listed, which keeps the answer small for a large report.
        """
        rows = []
        for row in self.rows:
            level = row.level
            if level == OK and not include_ok:
                continue

            rows.append(
                {
                    "sheet": row.sheet,
                    "row": row.row,
                    "level": level,
                    "mapping_id": row.mapping_id,
                    "messages": row.messages,
                    "columns": [layout.COLUMN_NAMES[i] for i in row.columns],
                }
            )

        return {
            "report_id": self.report_id,
            "name": self.name,
            "source_digest": self.source_digest,
            "has_errors": self.has_errors,
            "totals": self.totals,
            "notes": list(self.notes),
            "rows": rows,
        }
