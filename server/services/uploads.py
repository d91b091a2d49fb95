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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from werkzeug.utils import secure_filename

from ..core.errors import DataPrepError
from ..core.frontend import step
from ..core.xlsx import package_problem

logger = logging.getLogger(__name__)

XLSX = "xlsx"
CSV = "csv"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UploadError(DataPrepError):
    """An uploaded file that is empty, of the wrong kind or not what it claims.

    ``reason`` is a short phrase for the log, which names no file.
    """

    status_code = 415

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


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
        raise UploadError(f"{name} is empty; {step('choose_file')}.", "empty file")

    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES and XLSX in allowed:
        check_xlsx_bytes(name, upload.data)
        return XLSX

    if suffix in TEXT_SUFFIXES and CSV in allowed:
        check_text_bytes(name, upload.data)
        return CSV

    expected = " or ".join(f".{kind}" for kind in allowed)
    raise UploadError(
        f"{name} has the suffix {suffix or '(none)'!r}; "
        f"{step('send_file', kinds=expected)}.",
        "unexpected suffix",
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
            f"and {step('send_again')}.",
            "not an Office Open XML package",
        )

    if problem is not None:
        raise UploadError(f"{name} {problem}", "a package that unpacks too far")


def check_text_bytes(name: str, data: bytes) -> None:
    """Check that CSV bytes decode as text and contain no NUL bytes."""
    if data.startswith(UTF16_BOMS):
        try:
            data.decode("utf-16")
        except UnicodeDecodeError:
            raise UploadError(
                f"{name} starts like UTF-16 text but does not decode; export the "
                "file again as CSV UTF-8.",
                "invalid UTF-16 text",
            ) from None
        return

    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise UploadError(
            f"{name} is a binary file, not CSV text; export the data as CSV "
            "(UTF-8) and upload that file.",
            "binary data",
        )

    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return

    raise UploadError(
        f"{name} is not text in UTF-8 or Windows-1252; export it again as CSV UTF-8.",
        "unknown text encoding",
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
                    "each file once.",
                    "two files with one name",
                )
            used.add(name)
            path = Path(folder) / name
            path.write_bytes(upload.data)
            paths.append(path)
        logger.info("Saved %d uploaded files for reading", len(paths))

        yield paths


def log_rejected(what: str, uploads: Sequence[UploadedFile], error: DataPrepError):
    """Log why an upload was rejected and its size, never its name or content.

    The reason is an UploadError's ``reason``, or else the error's class,
    because the messages of the readers and of validation quote cells.
    """
    reason = getattr(error, "reason", None) or type(error).__name__
    size = sum(len(upload.data) for upload in uploads)
    files = "" if len(uploads) == 1 else f" in {len(uploads)} files"
    logger.info("Rejected a %s upload of %d bytes%s: %s", what, size, files, reason)
