"""Importing exports: Schoology users and SIS people, kept as snapshots.

Each import is a snapshot with its file names, formats, row counts, warnings
and people, so a report can name the data it was built from.

A Schoology import also replaces the current Schoology users, the record that
Update Users changes. Users missing from the new export are removed from the
record, and every other user takes the export's values. Update batches
recorded earlier stay in the history. Undoing one of them still checks every
user's current Unique ID against the batch's new value, so after a re-import
an undo goes through only where the export shows the updated IDs. When the
export still shows the IDs from before an applied batch (it was exported
before Schoology ran the user import), the snapshot gets a warning saying so.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from ..core.errors import DataPrepError
from ..core.model import Export, Role, SchoologyUser, SisUser
from ..core.plural import counted
from ..core.readers import read_schoology, read_sis
from ..db import get_session
from ..models import (
    SCHOOLOGY,
    SIS,
    SchoologyAccount,
    Snapshot,
    SnapshotPerson,
    UpdateBatch,
    UpdateChange,
    User,
    isoformat_utc,
)
from .errors import InvalidRequestError
from .uploads import UploadedFile, log_rejected, saved_files

logger = logging.getLogger(__name__)

# Rows per INSERT statement when storing a snapshot's people.
INSERT_CHUNK = 5_000

ACCOUNT_FIELDS = (
    "unique_id",
    "first_name",
    "middle_name",
    "last_name",
    "username",
    "email",
    "role_name",
    "school",
    "grad_year",
    "additional_schools",
    "line",
)


def import_schoology(
    source: str | Path | UploadedFile, *, user: User | None = None
) -> Snapshot:
    """Read a Schoology user export, store it and make it the current users.

    ``source`` is a path (command line) or an uploaded file (web, API).

    :raise ExportError: when the export cannot be read.
    :raise UploadError: when an upload is not CSV or xlsx.
    """
    if isinstance(source, UploadedFile):
        try:
            with saved_files([source]) as paths:
                export = read_schoology(paths[0])
        except DataPrepError as error:
            log_rejected("Schoology export", [source], error)
            raise
    else:
        export = read_schoology(source)

    session = get_session()
    export.warnings.extend(stale_export_warnings(export))
    snapshot = store_snapshot(export, SCHOOLOGY, None, user)
    replace_accounts(export.users, snapshot.id)
    session.commit()
    logger.info(
        "Imported Schoology snapshot %d: %d users (warnings: %d)",
        snapshot.id,
        snapshot.row_count,
        len(snapshot.warnings),
    )

    return snapshot


def import_sis(
    sources: Sequence[str | Path | UploadedFile],
    *,
    sis_format: str | None = None,
    column_map: dict[str, str] | None = None,
    key_column: str | None = None,
    user: User | None = None,
) -> Snapshot:
    """Read one or more SIS export files and store them as one SIS snapshot.

    ``sources`` are paths (files or OneRoster folders) or uploaded files, and
    the other arguments go to ``read_sis``.

    :raise ExportError: when an export cannot be read.
    :raise UploadError: when an upload is not CSV or xlsx.
    """
    uploads = [s for s in sources if isinstance(s, UploadedFile)]
    paths = [s for s in sources if not isinstance(s, UploadedFile)]
    try:
        with saved_files(uploads) as saved:
            export = read_sis(
                [*paths, *saved],
                sis_format=sis_format,
                column_map=column_map,
                key_column=key_column,
            )
    except DataPrepError as error:
        if uploads:
            log_rejected("SIS export", uploads, error)
        raise

    session = get_session()
    snapshot = store_snapshot(export, SIS, sis_format, user)
    session.commit()
    logger.info(
        "Imported SIS snapshot %d: %d people from %s (warnings: %d)",
        snapshot.id,
        snapshot.row_count,
        counted(len(snapshot.files), "file"),
        len(snapshot.warnings),
    )

    return snapshot


def parse_column_map(text: str | None) -> dict[str, str] | None:
    """Parse ``field=Header,field=Header`` into a dict.

    :raise InvalidRequestError: for an item without ``=``.
    """
    if not text:
        return None

    mapping = {}
    for item in text.split(","):
        field, sep, header = item.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InvalidRequestError(
                f"Column map item {item!r} is invalid; write field=Header, "
                "for example sis_key=Person ID,email=Email Address."
            )
        mapping[field.strip()] = header.strip()

    return mapping


def store_snapshot(
    export: Export, side: str, sis_format: str | None, user: User | None
) -> Snapshot:
    """Add a snapshot row and its people; the caller commits."""
    session = get_session()
    formats = sorted({file_format for _name, file_format, _rows in export.files})
    snapshot = Snapshot(
        side=side,
        files=[list(entry) for entry in export.files],
        sis_format=sis_format or (",".join(formats) if side == SIS else None),
        row_count=len(export.users),
        warnings=list(export.warnings),
        created_by_id=user.id if user else None,
    )
    session.add(snapshot)
    session.flush()

    people = (
        {"snapshot_id": snapshot.id, "position": position, "data": person_data(person)}
        for position, person in enumerate(export.users)
    )
    for chunk in chunked(people, INSERT_CHUNK):
        session.execute(insert(SnapshotPerson.__table__), chunk)

    return snapshot


def person_data(person: SchoologyUser | SisUser) -> dict:
    data = dataclasses.asdict(person)
    data["role"] = person.role.value

    return data


def chunked(items: Iterable, size: int) -> Iterable[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def replace_accounts(users: list[SchoologyUser], snapshot_id: int) -> None:
    """Make the export's users the current Schoology users."""
    session = get_session()
    session.execute(delete(SchoologyAccount))
    rows = (account_row(user, snapshot_id) for user in users)
    for chunk in chunked(rows, INSERT_CHUNK):
        session.execute(insert(SchoologyAccount.__table__), chunk)


def account_row(user: SchoologyUser, snapshot_id: int) -> dict:
    row = {name: getattr(user, name) for name in ACCOUNT_FIELDS}
    row.update(
        schoology_id=user.schoology_id, role=user.role.value, snapshot_id=snapshot_id
    )

    return row


def stale_export_warnings(export: Export) -> list[str]:
    """Warn when the export shows Unique IDs from before an applied batch.

    That happens when the export was taken before Schoology imported the
    changes CSV of the batch.
    """
    session = get_session()
    batch_id = session.scalar(
        select(func.max(UpdateBatch.id)).where(~UpdateBatch.undo.has())
    )
    if batch_id is None:
        return []

    befores = dict(
        session.execute(
            select(UpdateChange.schoology_id, UpdateChange.before).where(
                UpdateChange.batch_id == batch_id
            )
        ).all()
    )
    stale = sum(
        1
        for user in export.users
        if user.schoology_id in befores and user.unique_id == befores[user.schoology_id]
    )
    if not stale:
        return []

    users = counted(
        stale, "user in this export still has", "users in this export still have"
    )

    return [
        f"{users} the Unique ID they had before update batch {batch_id}. Import "
        "the batch's changes CSV into Schoology, export the users again and "
        "import that export here."
    ]


def load_export(snapshot: Snapshot) -> Export:
    """Rebuild the Export that a snapshot was stored from."""
    user_class = SchoologyUser if snapshot.side == SCHOOLOGY else SisUser
    session = get_session()
    rows = session.scalars(
        select(SnapshotPerson.data)
        .where(SnapshotPerson.snapshot_id == snapshot.id)
        .order_by(SnapshotPerson.position)
    )
    users = [user_class(**{**data, "role": Role(data["role"])}) for data in rows]

    return Export(
        side=snapshot.side,
        users=users,
        files=[tuple(entry) for entry in snapshot.files],
        warnings=list(snapshot.warnings),
    )


def current_schoology_export() -> Export:
    """Build an Export of the current Schoology users, in their export order."""
    session = get_session()
    accounts = session.scalars(
        select(SchoologyAccount).order_by(
            SchoologyAccount.line, SchoologyAccount.schoology_id
        )
    )
    users = [account_user(account) for account in accounts]

    return Export(side=SCHOOLOGY, users=users)


def account_user(account: SchoologyAccount) -> SchoologyUser:
    return SchoologyUser(
        line=account.line,
        schoology_id=account.schoology_id,
        unique_id=account.unique_id,
        first_name=account.first_name,
        middle_name=account.middle_name,
        last_name=account.last_name,
        username=account.username,
        email=account.email,
        role=Role(account.role),
        role_name=account.role_name,
        school=account.school,
        grad_year=account.grad_year,
        additional_schools=account.additional_schools,
    )


def latest_snapshot(side: str) -> Snapshot | None:
    """Return the newest snapshot of a side, or None before the first import."""
    session = get_session()

    return session.scalar(
        select(Snapshot).where(Snapshot.side == side).order_by(Snapshot.id.desc())
    )


def list_snapshots(side: str | None = None, limit: int = 50) -> list[Snapshot]:
    """List snapshots, newest first."""
    query = select(Snapshot).order_by(Snapshot.id.desc()).limit(limit)
    if side is not None:
        query = query.where(Snapshot.side == side)

    return list(get_session().scalars(query))


def snapshot_summary(snapshot: Snapshot) -> dict:
    """Describe a snapshot as JSON, without its people."""
    return {
        "id": snapshot.id,
        "side": snapshot.side,
        "files": [
            {"name": name, "format": file_format, "rows": rows}
            for name, file_format, rows in snapshot.files
        ],
        # A Schoology snapshot stores no SIS format; its files name theirs.
        "format": snapshot.sis_format
        or ",".join(
            sorted({file_format for _name, file_format, _rows in snapshot.files})
        ),
        "row_count": snapshot.row_count,
        "warnings": snapshot.warnings,
        "created_at": isoformat_utc(snapshot.created_at),
        "created_by": snapshot.created_by.username if snapshot.created_by else None,
    }
