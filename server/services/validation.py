"""Validating an edited report against the database, with the core's rules.

The web page, the API, the command line and the add-in all call
``validate_file`` or ``validate_values``. Both build a ``ValidationContext``
from the stored report, the newest SIS snapshot and the current Schoology
users, then call ``server.core.validate.validate``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..core import validate as core_validate
from ..core.errors import DataPrepError, ReportNotFoundError
from ..core.model import Role
from ..core.readback import MetaCheck, UploadedReport, read_report, report_from_values
from ..core.validate.rules import unknown_report
from ..db import get_session
from ..models import (
    SIS,
    Report,
    ReportRowRecord,
    SchoologyAccount,
    SnapshotPerson,
    UpdateBatch,
    Upload,
    User,
    isoformat_utc,
)
from . import storage
from .sources import latest_snapshot
from .uploads import XLSX, UploadedFile, file_kind, log_rejected

logger = logging.getLogger(__name__)

VALUES_SUFFIX = ".json"


@dataclass(slots=True)
class Validation:
    """An upload as read, the verdict on it and the context it was checked in."""

    uploaded: UploadedReport
    result: core_validate.ValidationResult
    context: core_validate.ValidationContext


def read_upload(upload: UploadedFile) -> UploadedReport:
    """Check that the upload is an xlsx workbook and read it as a report.

    :raise UploadError: when the bytes are not an xlsx workbook.
    :raise WorkbookError: when the workbook is not one of our reports.
    :raise ReportNotFoundError: when its report id is not stored here, before
        any Mapping sheet is read.
    """
    file_kind(upload, (XLSX,))

    return read_report(
        upload.data, name=upload.name, check_meta=known_report(upload.name)
    )


def known_report(name: str) -> MetaCheck:
    """Build the ``check_meta`` callback that rejects a report not stored here.

    Readback calls it before it reads any Mapping sheet, so a workbook from
    another server is rejected after its meta sheet, whatever its size.
    """

    def check_meta(meta: dict[str, str]) -> None:
        report_id = meta["report_id"]
        if get_session().get(Report, report_id) is None:
            raise unknown_report(name, report_id)

    return check_meta


def validate_file(upload: UploadedFile) -> Validation:
    """Read an uploaded workbook and check every row of it.

    A workbook rejected as a whole, unreadable or of an unknown, superseded
    or applied report, is logged with the reason and its size.
    """
    try:
        return validate_uploaded(read_upload(upload))
    except DataPrepError as error:
        log_rejected("report workbook", [upload], error)
        raise


def validate_values(
    sheets: Mapping[str, Sequence[Sequence]], name: str = "the workbook"
) -> Validation:
    """Check a report sent as sheets of values, as the Excel add-in sends it."""
    uploaded = report_from_values(sheets, name=name, check_meta=known_report(name))

    return validate_uploaded(uploaded)


def validate_uploaded(uploaded: UploadedReport) -> Validation:
    """Check a report that was read already.

    :raise ReportNotFoundError: for a report id that is not stored here.
    :raise ConflictError: when the report was superseded or applied already.
    """
    context = build_context(uploaded.report_id)
    result = core_validate.validate(uploaded, context)
    totals = result.totals
    logger.info(
        "Validated report %s: %d rows, %d with errors, %d with warnings",
        uploaded.report_id,
        totals["rows"],
        totals["error"],
        totals["warning"],
    )

    return Validation(uploaded, result, context)


def build_context(report_id: str) -> core_validate.ValidationContext:
    """Load what validation compares an upload with from the database."""
    session = get_session()
    report = session.get(Report, report_id) if report_id else None
    stored = stored_report(report) if report is not None else None

    return core_validate.ValidationContext(
        report=stored, sis=current_sis_people(), schoology=current_accounts()
    )


def stored_report(report: Report) -> core_validate.StoredReport:
    """Describe a stored report with its rows as generated."""
    session = get_session()
    rows = session.execute(
        select(ReportRowRecord.row_key, ReportRowRecord.values)
        .where(ReportRowRecord.report_id == report.id)
        .order_by(ReportRowRecord.position)
    )
    batch = active_batch(report.id)

    return core_validate.StoredReport(
        report_id=report.id,
        digest=report.digest,
        rows={key: values for key, values in rows},
        superseded=report.superseded,
        newer_report_id=report.newer_report_id,
        applied_at=isoformat_utc(batch.created_at) if batch else None,
    )


def active_batch(report_id: str) -> UpdateBatch | None:
    """Return the report's applied batch that has not been undone, if any."""
    return get_session().scalar(
        select(UpdateBatch)
        .where(UpdateBatch.report_id == report_id, ~UpdateBatch.undo.has())
        .order_by(UpdateBatch.id.desc())
    )


def current_sis_people() -> dict[str, core_validate.SisPerson]:
    """Map every local ID of the newest SIS snapshot to its role and name."""
    snapshot = latest_snapshot(SIS)
    if snapshot is None:
        return {}

    # The database extracts the four fields, which is several times faster
    # than decoding each person's whole JSON document in Python.
    data = SnapshotPerson.data
    rows = get_session().execute(
        select(
            data["local_id"].as_string(),
            data["role"].as_string(),
            data["first_name"].as_string(),
            data["last_name"].as_string(),
        ).where(SnapshotPerson.snapshot_id == snapshot.id)
    )
    roles = {role.value: role for role in Role}
    people = {}
    for local_id, role, first_name, last_name in rows:
        name = " ".join(part for part in (first_name, last_name) if part)
        people[local_id] = core_validate.SisPerson(roles[role], name)

    return people


def current_accounts() -> dict[str, core_validate.SchoologyAccount]:
    """Map every current Schoology User ID to its role and Unique ID."""
    rows = get_session().execute(
        select(
            SchoologyAccount.schoology_id,
            SchoologyAccount.role,
            SchoologyAccount.unique_id,
        )
    )

    roles = {role.value: role for role in Role}

    return {
        schoology_id: core_validate.SchoologyAccount(roles[role], unique_id)
        for schoology_id, role, unique_id in rows
    }


def store_upload(
    validation: Validation,
    *,
    data: bytes | None = None,
    sheets: Mapping[str, Sequence[Sequence]] | None = None,
    user: User | None = None,
) -> Upload:
    """Keep the validated workbook bytes, or the add-in's values, for apply.

    :raise ReportNotFoundError: when the report is not stored here.
    """
    session = get_session()
    uploaded = validation.uploaded
    if session.get(Report, uploaded.report_id) is None:
        raise ReportNotFoundError(
            f"{uploaded.name} is report {uploaded.report_id}, which this server "
            "has no record of; generate a new report and edit that one."
        )

    upload_id = uuid.uuid4().hex
    if data is not None:
        path = storage.write_bytes("uploads", upload_id + ".xlsx", data)
        digest = hashlib.sha256(data).hexdigest()
    else:
        payload = json.dumps(sheets, default=str, ensure_ascii=False).encode()
        path = storage.write_bytes("uploads", upload_id + VALUES_SUFFIX, payload)
        digest = uploaded.source_digest

    totals = validation.result.totals
    upload = Upload(
        id=upload_id,
        report_id=uploaded.report_id,
        file_name=uploaded.name[:255],
        sha256=digest,
        path=path,
        error_count=totals["error"],
        warning_count=totals["warning"],
        summary=totals,
        created_by_id=user.id if user else None,
    )
    session.add(upload)
    session.commit()
    logger.info(
        "Stored upload %s of report %s with %d errors",
        upload_id,
        uploaded.report_id,
        upload.error_count,
    )

    return upload


def reread_upload(upload: Upload) -> UploadedReport:
    """Read a stored upload again from its bytes on disk."""
    path = storage.absolute(upload.path)
    check_meta = known_report(upload.file_name)
    if path.suffix == VALUES_SUFFIX:
        sheets = json.loads(path.read_text(encoding="utf-8"))
        return report_from_values(sheets, name=upload.file_name, check_meta=check_meta)

    return read_report(path.read_bytes(), name=upload.file_name, check_meta=check_meta)
