"""What Validate, Submit and "accept suggestions" do with a workbook.

Each command reads the report from an xlwings payload or from an uploaded
file. It runs the same service functions as the web upload and the API
(``server.services.validation`` and ``server.services.updates``), writes its
verdict into an xlwings book, and returns the book's actions.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import python_calamine
from flask import current_app, url_for

from ..core import layout
from ..core.errors import ConflictError, WorkbookError
from ..core.plural import counted
from ..core.readback import UploadedReport, read_report, report_from_values
from ..core.suggest import accept_suggestions
from ..models import User
from ..services import reports, updates, validation
from ..services.uploads import UploadedFile
from . import remote, verdicts

logger = logging.getLogger(__name__)

LIBRARY_REPORTS = 10
# Accepted IDs with at most this many rows between them share one setValues
# action, with None (JSON null) in those rows. One action with a single row is
# about 140 bytes of compact JSON and a null row 7, so a longer gap costs more
# bytes than a new action.
MAX_GAP_ROWS = 20


def respond(book, **extra) -> dict:
    """Combine the book's xlwings actions with the command's own fields."""
    return {**book.json(), **extra}


def validate_payload(payload) -> dict:
    """Validate a payload and return the Status writes, marks and counts."""
    book = remote.open_book(payload)
    sheets = remote.without_status(remote.report_sheets(book))
    checked = validation.validate_values(sheets, name=book.name)

    return validated(book, checked)


def validate_file(data: bytes, name: str) -> dict:
    """Validate a workbook uploaded as a file, returning what a payload gets."""
    book = skeleton_book(data, name)
    checked = validation.validate_file(UploadedFile(name, data))

    return validated(book, checked)


def validated(book, checked: validation.Validation) -> dict:
    summary = verdicts.write_verdicts(book, checked.uploaded, checked.result)
    verdicts.validate_alert(book, checked.result, summary)
    log_verdict("validated", checked.result)

    return respond(book, **verdict_fields(checked.result, summary))


def verdict_fields(result, summary: dict) -> dict:
    """Return the fields that every Validate and Submit response carries."""
    return {
        "report_id": result.report_id,
        "counts": result.totals,
        "first_error": summary["first_error"],
    }


def log_verdict(event: str, result) -> None:
    logger.info(
        "Add-in %s report %s: %d errors",
        event,
        result.report_id,
        result.totals["error"],
    )


def submit_payload(payload, confirm: str | None, user: User) -> dict:
    """Preview Update Users for a payload, or apply the preview ``confirm`` names."""
    book = remote.open_book(payload)
    sheets = remote.report_sheets(book)
    if not confirm:
        preview = updates.preview_values(
            remote.without_status(sheets), book.name, user=user
        )
        return previewed(book, preview)

    current = report_from_values(
        sheets, name=book.name, check_meta=validation.known_report(book.name)
    )

    return applied(book, current, confirm, user)


def submit_file(data: bytes, name: str, confirm: str | None, user: User) -> dict:
    """Preview or apply as ``submit_payload`` does, for a workbook file."""
    book = skeleton_book(data, name)
    if not confirm:
        return previewed(book, updates.preview_file(UploadedFile(name, data), user))

    current = read_report(data, name=name, check_meta=validation.known_report(name))

    return applied(book, current, confirm, user)


def previewed(book, preview: updates.Preview) -> dict:
    """Write the preview's verdicts, then ask for confirmation or stop."""
    checked = preview.validation
    summary = verdicts.write_verdicts(book, checked.uploaded, checked.result)
    fields = verdict_fields(checked.result, summary)
    if preview.plan is None:
        verdicts.stopped_alert(book, checked.result, summary)
        log_verdict("stopped a submit of", checked.result)
        return respond(book, **fields, preview=None)

    verdicts.preview_alert(book, checked.result, preview.plan)

    return respond(
        book,
        **fields,
        preview={
            "digest": preview.upload.id,
            "changes": len(preview.plan.changes),
            "totals": preview.plan.totals,
        },
    )


def content_fingerprint(uploaded: UploadedReport) -> str:
    """Hash a report's rows without the Status column, which the add-in writes."""
    digest = hashlib.sha256(uploaded.report_id.encode("utf-8"))
    for row in uploaded.rows:
        cells = [
            layout.cell_text(value)
            for column, value in enumerate(row.values)
            if column != layout.STATUS
        ]
        digest.update("\x1e".join([row.sheet, str(row.row), *cells]).encode("utf-8"))

    return digest.hexdigest()


def applied(book, current: UploadedReport, upload_id: str, user: User) -> dict:
    """Apply a previewed upload if the open workbook still matches it.

    :raise ConflictError: when the workbook changed since the preview.
    """
    upload = updates.get_upload(upload_id)
    stored = validation.reread_upload(upload)
    if content_fingerprint(stored) != content_fingerprint(current):
        raise ConflictError(
            f"{current.name} changed since the preview of report {stored.report_id}, "
            "so nothing was updated. Run Submit again to preview the current rows."
        )

    outcome = updates.apply_upload(upload_id, user=user)
    if not outcome.applied:
        verdicts.alert(book, outcome.message)
        return respond(
            book, report_id=stored.report_id, batch=None, message=outcome.message
        )

    batch = updates.batch_summary(outcome.batch, include_changes=True)
    verdicts.write_outcome(book, current, batch)
    logger.info("Add-in applied report %s as batch %d", stored.report_id, batch["id"])

    return respond(
        book,
        report_id=stored.report_id,
        batch={key: batch[key] for key in ("id", "created_at", "change_count")},
        message=outcome.message,
    )


def skeleton_book(data: bytes, name: str):
    """Open a book with the file's sheet names and no values, to record actions.

    Actions address sheets by position, so the skeleton lists every sheet of
    the file in order, hidden ones included.

    :raise WorkbookError: when the bytes are not a workbook.
    """
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError as error:
        raise WorkbookError(
            f"The uploaded workbook could not be read ({error}). Save it as an Excel "
            "Workbook (.xlsx) and run the command again."
        ) from None

    with workbook:
        sheet_names = list(workbook.sheet_names)

    payload = {
        "client": remote.CLIENT_NAME,
        "version": "",
        "book": {"name": name, "active_sheet_index": 0, "selection": None},
        "names": [],
        "sheets": [{"name": sheet, "values": [[]]} for sheet in sheet_names],
    }

    return remote.open_book(payload)


def accept_payload(payload, min_score) -> dict:
    """Fill empty Integration-Mapping IDs with their suggestions.

    The rows chosen are those that ``server.core.suggest.accept_suggestions``
    accepts at ``min_score``. Nothing changes in Schoology until Submit.
    """
    book = remote.open_book(payload)
    sheets = remote.report_sheets(book)
    uploaded = report_from_values(sheets, name=book.name)
    accepted = accept_suggestions([row.values for row in uploaded.rows], min_score)
    writes = write_mapping_ids(book, uploaded, accepted)

    filled = counted(len(accepted), "Integration-Mapping ID")
    message = (
        f"Filled {filled} with suggestions scored at least {min_score}. Run "
        "Validate to check the workbook; nothing changes in Schoology until you run "
        "Submit."
    )
    logger.info(
        "Add-in accepted %d suggestions in report %s as %d setValues actions",
        len(accepted),
        uploaded.report_id,
        writes,
    )

    return respond(book, accepted=len(accepted), message=message)


def write_mapping_ids(book, uploaded: UploadedReport, accepted) -> int:
    """Write accepted local IDs into the Integration-Mapping ID column.

    ``accepted`` contains ``(row index, local ID)`` pairs from
    ``accept_suggestions``. Each run from ``mapping_id_runs`` becomes one
    setValues action. Office.js leaves a cell unchanged where the values hold
    null, so the rows between accepted ones keep what the user typed there.
    Return the number of actions.
    """
    by_sheet: dict[str, dict[int, str]] = defaultdict(dict)
    for index, local_id in accepted:
        row = uploaded.rows[index]
        by_sheet[row.sheet][row.row] = local_id

    writes = 0
    for sheet, ids in by_sheet.items():
        column = uploaded.positions[sheet][layout.MAPPING_ID] + 1
        for first, values in mapping_id_runs(ids):
            last = first + len(values) - 1
            cells = book.sheets[sheet].range((first, column), (last, column))
            # raw_value keeps None as null. Through .value, xlwings would send
            # an empty string, which clears the cell.
            cells.raw_value = [[value] for value in values]
            writes += 1

    return writes


def mapping_id_runs(ids: Mapping[int, str]) -> list[tuple[int, list[str | None]]]:
    """Group Excel rows and their new IDs into runs of ``(first row, values)``.

    Rows with at most MAX_GAP_ROWS rows between them share a run, and each
    row between them gets None.
    """
    runs: list[tuple[int, list[str | None]]] = []
    for row in sorted(ids):
        if runs:
            first, values = runs[-1]
            gap = row - (first + len(values))
            if gap <= MAX_GAP_ROWS:
                values.extend([None] * gap)
                values.append(ids[row])
                continue

        runs.append((row, [ids[row]]))

    return runs


def library() -> dict:
    """List the blank templates and the latest finished reports from the Logs."""
    folder = Path(current_app.config["DATAPREP_TEMPLATES_DIR"])
    templates = [
        {"name": path.name, "url": url_for("addin.template_file", name=path.name)}
        for path in sorted(folder.glob("*.xlsx"))
    ]
    finished = [
        entry["report"]
        for entry in reports.log_entries(limit=LIBRARY_REPORTS)
        if entry["report"] is not None
    ]

    return {
        "templates": templates,
        "reports": [
            {
                "id": report["id"],
                "created_at": report["created_at"],
                "counts": report["counts"],
                "superseded": report["superseded"],
                "xlsx_url": report["downloads"]["xlsx"],
            }
            for report in finished
        ],
    }
