"""The database tables of the service, as SQLAlchemy 2 typed ORM classes.

The schema itself is created and changed only by the Alembic migrations in
``server/migrations``; a test checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ADMIN = "admin"
VIEWER = "viewer"
ROLES = (ADMIN, VIEWER)

SCHOOLOGY = "schoology"
SIS = "sis"

QUEUED = "queued"
RUNNING = "running"
FINISHED = "finished"
FAILED = "failed"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Return a stored time as an aware datetime in UTC.

    SQLite returns the DateTime columns below without a time zone, but the
    service stores every time in UTC, so a naive value is read as UTC.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)

    return moment.astimezone(UTC)


def isoformat_utc(moment: datetime | None, sep: str = "T") -> str | None:
    """Format a stored time in UTC to the second, with its offset.

    The API uses ``2026-12-04T09:40:12+00:00``, and the pages pass ``sep=" "``
    for the same instant written ``2026-12-04 09:40:12+00:00``.
    """
    if moment is None:
        return None

    return as_utc(moment).isoformat(sep=sep, timespec="seconds")


class Base(DeclarativeBase):
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class User(UserMixin, Base):
    """A staff account that signs in to the service or calls the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the API token; the token itself is shown once and not stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_created_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class Snapshot(Base):
    """One import of a Schoology export or of a set of SIS export files."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    side: Mapped[str] = mapped_column(String(16), index=True)
    # ``[[file name, format, data rows], ...]`` as the reader returned them.
    files: Mapped[list[Any]]
    sis_format: Mapped[str | None] = mapped_column(String(32))
    row_count: Mapped[int]
    warnings: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by: Mapped[User | None] = relationship()
    people: Mapped[list[SnapshotPerson]] = relationship(
        back_populates="snapshot",
        cascade="all, delete-orphan",
        order_by="SnapshotPerson.position",
    )


class SnapshotPerson(Base):
    """One user row of a snapshot, stored as the reader's fields."""

    __tablename__ = "snapshot_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("snapshots.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    data: Mapped[dict[str, Any]]

    snapshot: Mapped[Snapshot] = relationship(back_populates="people")


class SchoologyAccount(Base):
    """A current Schoology user: the record that Update Users changes.

    Importing a Schoology export replaces these rows; applying a report sets
    ``unique_id`` and undoing a batch restores it.
    """

    __tablename__ = "schoology_accounts"

    schoology_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unique_id: Mapped[str] = mapped_column(String(255), default="")
    first_name: Mapped[str] = mapped_column(String(255), default="")
    middle_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))
    role_name: Mapped[str] = mapped_column(String(255), default="")
    school: Mapped[str] = mapped_column(Text, default="")
    grad_year: Mapped[str] = mapped_column(String(16), default="")
    additional_schools: Mapped[str] = mapped_column(Text, default="")
    line: Mapped[int] = mapped_column(default=0)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Job(Base):
    """A unit of background work, such as generating a report."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    # Fraction done, 0.0 to 1.0, with a short text of the current step.
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(String(255), default="")
    params: Mapped[dict[str, Any]]
    # "thread:HOST:PID" for the embedded pool, "rq" for a queued job.
    runner: Mapped[str | None] = mapped_column(String(128))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()


class Report(Base):
    """A generated user mapping report and where its files are stored."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    options: Mapped[dict[str, Any]]
    schoology_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    sis_snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    # Rows per scenario and other totals: {"1": 120, "2": 8, "3": 5, ...}.
    counts: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default=FINISHED)
    digest: Mapped[str] = mapped_column(String(64))
    # Paths relative to the storage folder.
    xlsx_path: Mapped[str | None] = mapped_column(String(255))
    csv_path: Mapped[str | None] = mapped_column(String(255))
    # Set when a newer report is generated: only the newest can be applied.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    newer_report_id: Mapped[str | None] = mapped_column(String(32))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    created_by: Mapped[User | None] = relationship()
    job: Mapped[Job | None] = relationship()
    rows: Mapped[list[ReportRowRecord]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="ReportRowRecord.position",
    )


class ReportRowRecord(Base):
    """One Mapping row of a report as written, kept for validating uploads."""

    __tablename__ = "report_rows"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    row_key: Mapped[str] = mapped_column(String(255))
    values: Mapped[list[Any]]

    report: Mapped[Report] = relationship(back_populates="rows")


class Upload(Base):
    """An uploaded report workbook kept with its validation result.

    Preview and apply both read these stored bytes, so the workbook that is
    applied is exactly the one whose validation the admin saw.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    report_id: Mapped[str | None] = mapped_column(ForeignKey("reports.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(255))
    error_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict[str, Any]]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UpdateBatch(Base):
    """One Update Users run: which report, who, when and every change.

    ``(report_id, attempt)`` is unique and ``attempt`` counts the earlier
    batches of the report that were undone. Two concurrent submits of one
    report insert the same pair, so the database lets exactly one commit.
    """

    __tablename__ = "update_batches"
    __table_args__ = (UniqueConstraint("report_id", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    attempt: Mapped[int] = mapped_column(default=0)
    upload_id: Mapped[str | None] = mapped_column(ForeignKey("uploads.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    change_count: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    changes: Mapped[list[UpdateChange]] = relationship(
        back_populates="batch",
        cascade="all, delete-orphan",
        order_by="UpdateChange.position",
    )
    undo: Mapped[UndoRecord | None] = relationship(back_populates="batch")


class UpdateChange(Base):
    """The Unique ID of one Schoology user before and after a batch."""

    __tablename__ = "update_changes"
    __table_args__ = (UniqueConstraint("batch_id", "schoology_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("update_batches.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    schoology_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str] = mapped_column(String(255))
    after: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")

    batch: Mapped[UpdateBatch] = relationship(back_populates="changes")


class UndoRecord(Base):
    """The undoing of one batch; a batch can be undone once."""

    __tablename__ = "undo_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("update_batches.id"), unique=True)
    restored_count: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    batch: Mapped[UpdateBatch] = relationship(back_populates="undo")
