"""Update Users: preview, apply and undo, each recorded as a batch.

Preview validates an upload, stores its bytes and lists every Schoology user
whose Unique ID would change. Apply reads those same stored bytes again,
validates them again and, only when no row has an error, changes every
Unique ID in one transaction together with the batch that records it.

A report is applied at most once until its batch is undone. Apply locks the
report row before it looks for a batch in effect, so concurrent submits of one
report run that step one at a time, and the unique pair
``(report_id, attempt)`` of the batch table rejects a second batch in any case.
Every submit that loses such a race, or comes later, gets the message that
the report was applied already.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..core.errors import ConflictError, ReportNotFoundError
from ..core.frontend import step
from ..core.plural import counted
from ..core.update import UpdatePlan, plan_update
from ..db import get_session
from ..models import (
    Report,
    SchoologyAccount,
    UndoRecord,
    UpdateBatch,
    UpdateChange,
    Upload,
    User,
    isoformat_utc,
)
from . import validation as validation_service
from .errors import BatchNotFoundError, UploadNotFoundError
from .sources import INSERT_CHUNK, chunked
from .uploads import UploadedFile

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Preview:
    """The planned Update Users changes of one stored upload, with its validation."""

    upload: Upload
    validation: validation_service.Validation
    plan: UpdatePlan | None

    def to_json(self) -> dict:
        result = self.validation.result
        return {
            "upload_id": self.upload.id,
            "report_id": self.upload.report_id,
            "can_apply": self.plan is not None,
            "validation": result.to_json(include_ok=False),
            "plan": self.plan.to_json() if self.plan else None,
        }


@dataclass(slots=True)
class ApplyResult:
    """The outcome of a submit: the batch, or why nothing changed."""

    applied: bool
    message: str
    batch: UpdateBatch | None = None
    totals: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "applied": self.applied,
            "message": self.message,
            "batch": batch_summary(self.batch) if self.batch else None,
            "totals": self.totals,
        }


def preview_file(upload: UploadedFile, user: User | None = None) -> Preview:
    """Validate an uploaded workbook, keep it, and plan its update."""
    checked = validation_service.validate_file(upload)
    stored = validation_service.store_upload(checked, data=upload.data, user=user)

    return make_preview(stored, checked)


def preview_values(sheets, name: str, user: User | None = None) -> Preview:
    """Validate a report sent as the add-in's sheets of values, keep it, and plan."""
    checked = validation_service.validate_values(sheets, name)
    stored = validation_service.store_upload(checked, sheets=sheets, user=user)

    return make_preview(stored, checked)


def make_preview(upload: Upload, checked: validation_service.Validation) -> Preview:
    """Plan the update of a stored upload and remember the plan's digest."""
    plan = None
    if not checked.result.has_errors:
        plan = plan_update(checked.uploaded, checked.result, checked.context)
        upload.summary = {**upload.summary, "plan_digest": plan_digest(plan)}
        get_session().commit()

    return Preview(upload, checked, plan)


def plan_digest(plan: UpdatePlan) -> str:
    """Hash every planned change, so apply can tell that the plan is unchanged."""
    text = "\n".join(
        f"{change.schoology_id}\x1f{change.before}\x1f{change.after}"
        for change in sorted(plan.changes, key=lambda change: change.schoology_id)
    )

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def get_upload(upload_id: str) -> Upload:
    """Find a stored upload.

    :raise UploadNotFoundError: when no upload has that id.
    """
    upload = get_session().get(Upload, upload_id)
    if upload is None:
        raise UploadNotFoundError(
            f"Upload {upload_id!r} not found; upload the workbook again to preview it."
        )

    return upload


def apply_upload(upload_id: str, user: User | None = None) -> ApplyResult:
    """Apply a previewed upload: validate its stored bytes again, then update.

    :raise ConflictError: when a row has an error, the report was applied or
        superseded, or a Unique ID changed since the upload was validated.
    """
    upload = get_upload(upload_id)
    applied = validation_service.active_batch(upload.report_id)
    if applied is not None:
        return already_applied(applied)

    uploaded = validation_service.reread_upload(upload)
    if uploaded.source_digest != upload.sha256:
        raise ConflictError(
            f"The stored copy of upload {upload_id} changed on disk since it was "
            f"previewed; {step('send_again')}."
        )

    try:
        checked = validation_service.validate_uploaded(uploaded)
    except ConflictError:
        # A concurrent submit of the same report may have won the race.
        outcome = applied_meanwhile(upload.report_id)
        if outcome is not None:
            return outcome
        raise

    plan = plan_update(checked.uploaded, checked.result, checked.context)
    if plan_digest(plan) != upload.summary.get("plan_digest"):
        # A concurrent submit that applied this report changes the plan too:
        # its users already have their new Unique IDs.
        outcome = applied_meanwhile(upload.report_id)
        if outcome is not None:
            return outcome
        raise ConflictError(
            f"The Unique IDs of report {upload.report_id} changed since upload "
            f"{upload_id} was previewed, so the preview no longer shows what "
            f"would change. Nothing was updated; {step('preview_again')}."
        )

    return apply_plan(plan, upload, user)


def apply_plan(plan: UpdatePlan, upload: Upload, user: User | None) -> ApplyResult:
    """Record the batch and change every Unique ID in one transaction.

    A plan without changes records no batch, so it leaves nothing to undo.
    """
    session = get_session()
    session.rollback()
    if not plan.changes:
        logger.info(
            "Apply of upload %s changed nothing: report %s links %d users already",
            upload.id,
            plan.report_id,
            plan.totals["unchanged"],
        )
        return ApplyResult(
            applied=False,
            message=f"Every Integration-Mapping ID of report {plan.report_id} "
            "already is its user's Unique ID, so nothing changed.",
            totals=plan.totals,
        )

    report_id = plan.report_id
    lock_report(report_id)
    applied = validation_service.active_batch(report_id)
    if applied is not None:
        session.rollback()
        return already_applied(applied)

    attempt = session.scalar(
        select(func.count(UpdateBatch.id)).where(UpdateBatch.report_id == report_id)
    )
    batch = UpdateBatch(
        report_id=report_id,
        attempt=attempt,
        upload_id=upload.id,
        sha256=upload.sha256,
        change_count=len(plan.changes),
        created_by_id=user.id if user else None,
    )
    session.add(batch)

    try:
        session.flush()
        write_changes(batch, plan)
        session.commit()
    except IntegrityError:
        logger.info("A concurrent submit applied report %s first", report_id)
        outcome = applied_meanwhile(report_id)
        if outcome is None:
            raise
        return outcome
    except Exception:
        session.rollback()
        raise

    totals = plan.totals
    logger.info(
        "Applied report %s as batch %d: %d changes, %d unchanged, %d rows without "
        "an ID, %d users gone from Schoology",
        report_id,
        batch.id,
        batch.change_count,
        totals["unchanged"],
        totals["blank"],
        totals["skipped"],
    )

    users = counted(batch.change_count, "Schoology user")

    return ApplyResult(
        applied=True,
        message=f"Updated the Unique ID of {users} (batch {batch.id}).",
        batch=batch,
        totals=plan.totals,
    )


def lock_report(report_id: str) -> None:
    """Lock a report's row until the transaction ends.

    A no-op UPDATE locks the row on PostgreSQL. On SQLite, which ignores
    ``SELECT ... FOR UPDATE``, it begins the transaction and takes the
    database's write lock, so a concurrent submit waits here on both and then
    reads the batch that the first one committed.

    :raise ReportNotFoundError: when no report has that id.
    """
    locked = get_session().execute(
        update(Report)
        .where(Report.id == report_id)
        .values(superseded=Report.superseded)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:
        raise ReportNotFoundError(f"Report {report_id} not found.")


def applied_meanwhile(report_id: str) -> ApplyResult | None:
    """Look up the report's batch in effect and describe it as applied already.

    It ends the session's transaction first, so that it reads the batch that a
    concurrent submit committed. Returns None when no batch is in effect.
    """
    session = get_session()
    session.rollback()
    applied = validation_service.active_batch(report_id)
    if applied is None:
        return None

    return already_applied(applied)


def already_applied(batch: UpdateBatch) -> ApplyResult:
    logger.info(
        "Report %s was applied already as batch %d; nothing changed",
        batch.report_id,
        batch.id,
    )
    when = isoformat_utc(batch.created_at)

    return ApplyResult(
        applied=False,
        message=f"Report {batch.report_id} was applied already as batch {batch.id} "
        f"on {when}, so nothing changed.",
        batch=batch,
    )


def write_changes(batch: UpdateBatch, plan: UpdatePlan) -> None:
    """Record the batch's changes, then set every planned Unique ID at once.

    One UPDATE sets each user's Unique ID from the batch's rows and matches
    only users whose Unique ID still is the previewed value, so a user changed
    by someone else since validation makes the count come out short.

    :raise ConflictError: when a user's Unique ID or account changed since
        validation; the caller rolls the whole batch back.
    """
    session = get_session()
    rows = (
        {
            "batch_id": batch.id,
            "position": position,
            "schoology_id": change.schoology_id,
            "before": change.before,
            "after": change.after,
        }
        for position, change in enumerate(plan.changes)
    )
    for chunk in chunked(rows, INSERT_CHUNK):
        session.execute(insert(UpdateChange.__table__), chunk)

    copy_names(batch.id)
    changed = set_unique_ids(batch.id, UpdateChange.before, UpdateChange.after)
    if changed != len(plan.changes):
        schoology_id = first_moved_user(batch.id, UpdateChange.after)
        raise ConflictError(
            f"The Unique ID of Schoology user {schoology_id} changed since the "
            "workbook was validated, so nothing was updated. Validate the "
            "workbook again."
        )


def change_column(batch_id: int, column):
    """Select the batch's value of ``column`` for the account being updated."""
    return (
        select(column)
        .where(
            UpdateChange.batch_id == batch_id,
            UpdateChange.schoology_id == SchoologyAccount.schoology_id,
        )
        .scalar_subquery()
    )


def set_unique_ids(batch_id: int, expected_column, new_column) -> int:
    """Set the Unique IDs of a batch's users whose ID is the expected value.

    Returns how many users were changed.
    """
    in_batch = select(UpdateChange.schoology_id).where(
        UpdateChange.batch_id == batch_id
    )
    result = get_session().execute(
        update(SchoologyAccount)
        .where(
            SchoologyAccount.schoology_id.in_(in_batch),
            SchoologyAccount.unique_id == change_column(batch_id, expected_column),
        )
        .values(unique_id=change_column(batch_id, new_column))
        .execution_options(synchronize_session=False)
    )

    return result.rowcount


def copy_names(batch_id: int) -> None:
    """Keep each changed user's name with the change, for the history."""

    def account_column(column):
        return (
            select(column)
            .where(SchoologyAccount.schoology_id == UpdateChange.schoology_id)
            .scalar_subquery()
        )

    get_session().execute(
        update(UpdateChange)
        .where(UpdateChange.batch_id == batch_id)
        .values(
            first_name=func.coalesce(account_column(SchoologyAccount.first_name), ""),
            last_name=func.coalesce(account_column(SchoologyAccount.last_name), ""),
        )
        .execution_options(synchronize_session=False)
    )


def first_moved_user(batch_id: int, new_column) -> str:
    """Return the first user of a batch that ``set_unique_ids`` did not change.

    Run it after the UPDATE in the same transaction: every changed user then
    has the batch's new value, so the first user without it is one that
    another request or import changed.
    """
    query = (
        select(UpdateChange.schoology_id)
        .outerjoin(
            SchoologyAccount,
            SchoologyAccount.schoology_id == UpdateChange.schoology_id,
        )
        .where(
            UpdateChange.batch_id == batch_id,
            (SchoologyAccount.schoology_id.is_(None))
            | (SchoologyAccount.unique_id != new_column),
        )
        .order_by(UpdateChange.position)
        .limit(1)
    )

    return get_session().scalar(query) or "(unknown)"


def batch_of_upload(upload_id: str) -> UpdateBatch | None:
    """Return the committed batch that applied an upload, if any.

    It ends the session's transaction first, so that it reads what was
    committed, as after an apply that was stopped part way.
    """
    session = get_session()
    session.rollback()

    return session.scalar(
        select(UpdateBatch)
        .where(UpdateBatch.upload_id == upload_id)
        .order_by(UpdateBatch.id.desc())
    )


def latest_batch() -> UpdateBatch | None:
    """Return the newest batch that has not been undone."""
    return get_session().scalar(
        select(UpdateBatch)
        .where(~UpdateBatch.undo.has())
        .order_by(UpdateBatch.id.desc())
    )


def undo_latest(user: User | None = None) -> UndoRecord:
    """Restore every Unique ID that the newest batch changed.

    :raise ConflictError: when there is nothing to undo, or a user's Unique ID
        changed since the batch, in which case nothing is restored.
    """
    session = get_session()
    batch = latest_batch()
    if batch is None:
        raise ConflictError("There is no applied update to undo.")

    session.scalar(select(Report).where(Report.id == batch.report_id).with_for_update())
    restored = set_unique_ids(batch.id, UpdateChange.after, UpdateChange.before)
    if restored != batch.change_count:
        moved = first_moved_user(batch.id, UpdateChange.before)
        missing = batch.change_count - restored
        session.rollback()
        logger.info(
            "Undo of batch %d rejected: %d of its %d users changed since",
            batch.id,
            missing,
            batch.change_count,
        )
        if undone_meanwhile(batch.id):
            raise ConflictError(
                f"Batch {batch.id} was undone already by a concurrent request."
            )
        raise ConflictError(undo_rejected_message(batch.id, missing, moved))

    record = UndoRecord(
        batch_id=batch.id,
        restored_count=restored,
        created_by_id=user.id if user else None,
    )
    session.add(record)

    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            f"Batch {batch.id} was undone already by a concurrent request."
        ) from None

    logger.info(
        "Undid batch %d of report %s: restored %d users",
        batch.id,
        batch.report_id,
        record.restored_count,
    )

    return record


def undo_rejected_message(batch_id: int, missing: int, moved: str) -> str:
    """Word why a batch cannot be undone, for one or more changed users."""
    users = counted(
        missing, "Schoology user no longer has", "Schoology users no longer have"
    )
    if missing == 1:
        which, fix = f"user {moved}", "that user"
    else:
        which, fix = f"the first is user {moved}", "those users"

    return (
        f"Batch {batch_id} cannot be undone, because {users} the Unique ID it set "
        f"({which}). Nothing was restored. Import a current Schoology export, or "
        f"fix {fix} in Schoology."
    )


def undone_meanwhile(batch_id: int) -> bool:
    """Tell whether another request recorded the undo of a batch."""
    query = select(UndoRecord.id).where(UndoRecord.batch_id == batch_id)

    return get_session().scalar(query) is not None


def list_batches(limit: int = 100) -> list[UpdateBatch]:
    """List update batches, newest first."""
    return list(
        get_session().scalars(
            select(UpdateBatch).order_by(UpdateBatch.id.desc()).limit(limit)
        )
    )


def get_batch(batch_id: int) -> UpdateBatch:
    """Find an update batch.

    :raise BatchNotFoundError: when no batch has that number.
    """
    batch = get_session().get(UpdateBatch, batch_id)
    if batch is None:
        raise BatchNotFoundError(f"Update batch {batch_id} not found.")

    return batch


def batch_summary(batch: UpdateBatch, include_changes: bool = False) -> dict:
    """Describe a batch as JSON: who, when, which report, and its undo."""
    summary = {
        "id": batch.id,
        "report_id": batch.report_id,
        "upload_id": batch.upload_id,
        "change_count": batch.change_count,
        "created_by": batch.created_by.username if batch.created_by else None,
        "created_at": isoformat_utc(batch.created_at),
        "undone_at": isoformat_utc(batch.undo.created_at) if batch.undo else None,
        "undone_by": (
            batch.undo.created_by.username
            if batch.undo and batch.undo.created_by
            else None
        ),
    }
    if include_changes:
        summary["changes"] = [
            {
                "schoology_id": change.schoology_id,
                "before": change.before,
                "after": change.after,
            }
            for change in batch.changes
        ]

    return summary
