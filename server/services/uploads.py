"""Checks on uploaded files before any parser reads them.

An upload must be what its use expects: an ``.xlsx`` workbook is a zip archive
with ``[Content_Types].xml``, and a CSV is text in UTF-8, UTF-16 with a byte
order mark, or Windows-1252. Uploads keep their file names because the SIS
readers pick OneRoster files by name (users.csv, roles.csv, orgs.csv).
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from werkzeug.utils import secure_filename

from ..core.errors import DataPrepError
from ..core.xlsx import package_problem

logger = logging.getLogger(__name__)

XLSX = "xlsx"
CSV = "csv"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UploadError(DataPrepError):
    """An uploaded file that is empty, of the wrong kind or not what it claims."""

    status_code = 415


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file received over HTTP: its name as the client sent it, and its bytes."""

    name: str
    data: bytes


def file_kind(upload: UploadedFile, allowed: tuple[str, ...] = (XLSX, CSV)) -> str:
    """Return ``"xlsx"`` or ``"csv"`` after checking the bytes match the name.

    :raise UploadError: for an empty file, an unknown suffix, a workbook that
        is not a zip with ``[Content_Types].xml``, or text that does not decode.
    """
    name = upload.name or "the upload"
    if not upload.data:
        raise UploadError(f"{name} is empty; choose the exported file and upload it.")

    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES and XLSX in allowed:
        check_xlsx_bytes(name, upload.data)
        return XLSX

    if suffix in TEXT_SUFFIXES and CSV in allowed:
        check_text_bytes(name, upload.data)
        return CSV

    expected = " or ".join(f".{kind}" for kind in allowed)
    raise UploadError(
        f"{name} has the suffix {suffix or '(none)'!r}; upload a {expected} file."
    )


def check_xlsx_bytes(name: str, data: bytes) -> None:
    """Check that the bytes are a zip archive that contains [Content_Types].xml."""
    problem = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            has_types = "[Content_Types].xml" in archive.namelist()
            problem = package_problem(archive)
    except zipfile.BadZipFile:
        has_types = False

    if not has_types:
        raise UploadError(
            f"{name} is not an Excel workbook (.xlsx): its content is not an "
            "Office Open XML package. Open it in Excel, save it as Excel Workbook "
            "and upload it again."
        )

    if problem is not None:
        raise UploadError(f"{name} {problem}")


def check_text_bytes(name: str, data: bytes) -> None:
    """Check that CSV bytes decode as text and contain no NUL bytes."""
    if data.startswith(UTF16_BOMS):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            raise UploadError(
                f"{name} starts like UTF-16 text but does not decode; export the "
                "file again as CSV UTF-8."
            ) from None
        return

    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise UploadError(
            f"{name} is a binary file, not CSV text; export the data as CSV "
            "(UTF-8) and upload that file."
        )

    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return

    raise UploadError(
        f"{name} is not text in UTF-8 or Windows-1252; export it again as CSV UTF-8."
    )


def safe_name(name: str, index: int) -> str:
    """Return a file name that is safe to create, keeping the original if it is."""
    cleaned = secure_filename(name or "")

    return cleaned or f"upload-{index}"


@contextlib.contextmanager
def saved_files(
    uploads: list[UploadedFile], allowed: tuple[str, ...] = (XLSX, CSV)
) -> Iterator[list[Path]]:
    """Check the uploads and write them to a temporary folder for the readers.

    The folder and its files are removed when the block ends.
    """
    for upload in uploads:
        file_kind(upload, allowed)

    with tempfile.TemporaryDirectory(prefix="dataprep-upload-") as folder:
        paths = []
        used: set[str] = set()
        for index, upload in enumerate(uploads):
            name = safe_name(upload.name, index)
            if name in used:
                raise UploadError(
                    f"Two uploaded files are both named {upload.name!r}; upload "
                    "each file once."
                )
            used.add(name)
            path = Path(folder) / name
            path.write_bytes(upload.data)
            paths.append(path)
        logger.info("Saved %d uploaded files for reading", len(paths))

        yield paths
