"""Workbook files that the add-in uploads in slices.

Office.js hands a document over in slices of at most 4 MB
(``Document.getFileAsync``), so a workbook too large to send as values
arrives as numbered slices under one upload id. Each upload lives in its own
folder under ``addin-files`` in the storage folder until it is assembled.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..core.errors import DataPrepError
from ..services import storage
from ..services.errors import UploadNotFoundError

logger = logging.getLogger(__name__)

FOLDER = "addin-files"
MANIFEST = "upload.json"
# Office.js makes slices of at most 4 MB.
MAX_SLICE_BYTES = 4 * 1024 * 1024
# Uploads not assembled within this many seconds are removed.
MAX_AGE_SECONDS = 3600


class SliceError(DataPrepError):
    """A slice upload that is incomplete, too large or out of order."""

    status_code = 400


@dataclass(frozen=True, slots=True)
class SliceUpload:
    """One upload in progress: its id, expected slices and size, and its owner."""

    upload_id: str
    slices: int
    size: int
    user_id: int | None
    name: str = "workbook.xlsx"


def upload_folder(upload_id: str) -> Path:
    if len(upload_id) != 32 or not all(c in "0123456789abcdef" for c in upload_id):
        raise UploadNotFoundError(
            f"Upload {upload_id!r} not found; run the command again to upload "
            "the workbook."
        )

    return storage.root() / FOLDER / upload_id


def max_file_bytes() -> int:
    return int(current_app.config.get("DATAPREP_ADDIN_MAX_FILE", 512 * 1024 * 1024))


def file_name(name) -> str:
    """Return the workbook's name for messages, with an Excel suffix.

    An unsaved workbook is named "Book1", and the upload checks expect a
    ``.xlsx`` or ``.xlsm`` name, so a name without one gets ``.xlsx``.
    """
    text = Path(str(name or "")).name.strip()[:200] or "workbook"
    if not text.lower().endswith((".xlsx", ".xlsm")):
        text += ".xlsx"

    return text


def start(slices, size, user_id: int | None, name="") -> SliceUpload:
    """Create an upload for a file of ``size`` bytes in ``slices`` slices.

    :raise SliceError: for a count or size that is not a positive whole number,
        or a file larger than the configured maximum.
    """
    if type(slices) is not int or type(size) is not int or slices < 1 or size < 1:
        raise SliceError(
            f"The upload needs a positive number of slices and bytes, not "
            f"slices={slices!r} and size={size!r}."
        )

    limit = max_file_bytes()
    if slices > size:
        raise SliceError(
            f"An upload of {size} bytes cannot have {slices} slices; run the "
            "command again."
        )

    if size > limit:
        raise SliceError(
            f"The workbook has {size} bytes, more than the limit of {limit} bytes "
            "(DATAPREP_ADDIN_MAX_FILE). Split the report or ask the administrator "
            "to raise the limit."
        )

    remove_stale()
    upload = SliceUpload(uuid.uuid4().hex, slices, size, user_id, file_name(name))
    folder = upload_folder(upload.upload_id)
    folder.mkdir(parents=True)
    manifest = {"slices": slices, "size": size, "user_id": user_id, "name": upload.name}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    logger.info("Started add-in upload %s of %d slices", upload.upload_id, slices)

    return upload


def load(upload_id: str, user_id: int | None) -> SliceUpload:
    """Find an upload that the same account started.

    :raise UploadNotFoundError: when there is none, or another account owns it.
    """
    folder = upload_folder(upload_id)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise UploadNotFoundError(
            f"Upload {upload_id} not found or expired; run the command again to "
            "upload the workbook."
        )

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest["user_id"] != user_id:
        raise UploadNotFoundError(
            f"Upload {upload_id} not found for this account; run the command again."
        )

    return SliceUpload(
        upload_id, manifest["slices"], manifest["size"], user_id, manifest["name"]
    )


def add_slice(upload: SliceUpload, index: int, data: bytes) -> int:
    """Store one slice and return how many slices have arrived.

    :raise SliceError: for an index out of range, an empty or oversized slice,
        or slices that add up to more than the announced size.
    """
    if not 0 <= index < upload.slices:
        raise SliceError(
            f"Slice {index} is out of range: upload {upload.upload_id} has "
            f"{upload.slices} slices, numbered from 0."
        )

    if not data or len(data) > MAX_SLICE_BYTES:
        raise SliceError(
            f"Slice {index} has {len(data)} bytes; a slice must have 1 to "
            f"{MAX_SLICE_BYTES} bytes."
        )

    folder = upload_folder(upload.upload_id)
    (folder / f"{index}.part").write_bytes(data)
    parts = list(folder.glob("*.part"))
    if sum(part.stat().st_size for part in parts) > upload.size:
        raise SliceError(
            f"The slices of upload {upload.upload_id} add up to more than the "
            f"announced {upload.size} bytes; run the command again."
        )

    return len(parts)


def assemble(upload: SliceUpload) -> bytes:
    """Join the slices in order, check the size, and remove the upload.

    :raise SliceError: when a slice is missing or the size does not match.
    """
    folder = upload_folder(upload.upload_id)
    missing = [i for i in range(upload.slices) if not (folder / f"{i}.part").is_file()]
    if missing:
        raise SliceError(
            f"Upload {upload.upload_id} is missing slice {missing[0]} of "
            f"{upload.slices}; run the command again."
        )

    data = b"".join((folder / f"{i}.part").read_bytes() for i in range(upload.slices))
    shutil.rmtree(folder, ignore_errors=True)
    if len(data) != upload.size:
        raise SliceError(
            f"Upload {upload.upload_id} has {len(data)} bytes but {upload.size} "
            "were announced; run the command again."
        )

    logger.info("Assembled add-in upload %s: %d bytes", upload.upload_id, len(data))

    return data


def remove_stale(now: float | None = None) -> int:
    """Remove uploads older than MAX_AGE_SECONDS and return how many went."""
    base = storage.root() / FOLDER
    if not base.is_dir():
        return 0

    now = time.time() if now is None else now
    removed = 0
    for folder in base.iterdir():
        if folder.is_dir() and now - folder.stat().st_mtime > MAX_AGE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1

    if removed:
        logger.info("Removed %d stale add-in uploads", removed)

    return removed
