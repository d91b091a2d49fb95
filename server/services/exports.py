"""CSV exports: the changes of an update batch and the full Schoology user list.

Both files use the column names of Schoology's user import (Import > Users):
it requires First Name, Last Name, Username or E-mail address and User Unique
ID, and accepts Schoology User ID, Middle Name, Role, School and Grad Year
(Schoology help, "Import Users with a CSV/XLS File (Enterprise)"). With the
Schoology User ID present, the import updates each existing user's Unique ID.

Files are UTF-8 with a byte order mark so Excel shows accented names. Values
are written exactly as Schoology holds them, without the apostrophe guard of
the CSV report, because the import would store the apostrophe as part of a
name or ID. A value that a spreadsheet would run as a formula is counted in
the log, and the export docs say to open these files in Excel as text.
"""

from __future__ import annotations

import csv
import io
import logging

from sqlalchemy import select

from ..core.csv_report import BOM, FORMULA_PREFIXES
from ..core.errors import ConflictError
from ..db import get_session
from ..models import SchoologyAccount, UpdateChange
from .updates import get_batch, latest_batch

logger = logging.getLogger(__name__)

IMPORT_COLUMNS = (
    "Schoology User ID",
    "User Unique ID",
    "First Name",
    "Middle Name",
    "Last Name",
    "Username",
    "E-mail",
    "Role",
    "School",
    "Grad Year",
)


def account_cells(account: SchoologyAccount, unique_id: str | None = None) -> list:
    return [
        account.schoology_id,
        account.unique_id if unique_id is None else unique_id,
        account.first_name,
        account.middle_name,
        account.last_name,
        account.username,
        account.email,
        account.role_name,
        account.school,
        account.grad_year,
    ]


def write_csv(rows) -> bytes:
    """Write the import columns and the rows as CSV bytes, values unchanged."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    formulas = 0
    for row in rows:
        formulas += sum(
            1
            for value in row
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
        )
        writer.writerow(row)
    if formulas:
        logger.warning(
            "Exported %d cells that start like a formula; open the file as text",
            formulas,
        )

    return buffer.getvalue().encode("utf-8")


def changes_csv(batch_id: int | None = None) -> tuple[str, bytes]:
    """Build the Schoology import file of one batch, the newest in effect by default.

    Each row is a changed user with the new Unique ID. Returns the file name
    and the bytes.

    :raise ConflictError: when no update is in effect, or the batch was undone.
    """
    session = get_session()
    if batch_id is None:
        batch = latest_batch()
        if batch is None:
            raise ConflictError("No update is in effect, so there are no changes.")
    else:
        batch = get_batch(batch_id)

    if batch.undo is not None:
        raise ConflictError(
            f"Update batch {batch.id} was undone, so its changes are not in "
            "effect; export the current users instead."
        )
    rows = session.execute(
        select(UpdateChange, SchoologyAccount)
        .outerjoin(
            SchoologyAccount, SchoologyAccount.schoology_id == UpdateChange.schoology_id
        )
        .where(UpdateChange.batch_id == batch.id)
        .order_by(UpdateChange.position)
    )
    cells = []
    for change, account in rows:
        if account is None:
            # The user left a later Schoology import; keep what the batch saved.
            cells.append(
                [
                    change.schoology_id,
                    change.after,
                    change.first_name,
                    "",
                    change.last_name,
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        else:
            cells.append(account_cells(account, change.after))
    logger.info("Exported %d changes of batch %d", len(cells), batch.id)

    return f"schoology-unique-ids-batch-{batch.id}.csv", write_csv(cells)


def users_csv() -> tuple[str, bytes]:
    """Build the full list of current Schoology users with their Unique IDs."""
    accounts = get_session().scalars(
        select(SchoologyAccount).order_by(
            SchoologyAccount.line, SchoologyAccount.schoology_id
        )
    )
    cells = [account_cells(account) for account in accounts]
    logger.info("Exported %d Schoology users", len(cells))

    return "schoology-users.csv", write_csv(cells)
