"""Input errors of the service layer, each with its own code in API responses.

The error handler derives the code from the class name, so
``UploadNotFoundError`` becomes ``upload_not_found``.
"""

from __future__ import annotations

from ..core.errors import DataPrepError


class NotFoundError(DataPrepError):
    """An id in the request that names nothing stored."""

    status_code = 404


class JobNotFoundError(NotFoundError):
    """A job id that names no job."""


class SnapshotNotFoundError(NotFoundError):
    """A snapshot id that names no import, or an import of the other side."""


class UploadNotFoundError(NotFoundError):
    """An upload id that names no stored upload."""


class BatchNotFoundError(NotFoundError):
    """An update batch number that names no batch."""


class ReportFileMissingError(NotFoundError):
    """A stored report whose .xlsx or .csv file is gone from the storage folder."""


class InvalidRequestError(DataPrepError):
    """A request whose body, form fields or query parameters are invalid."""


class MissingImportError(DataPrepError):
    """A report requested before a Schoology and a SIS export were imported."""
