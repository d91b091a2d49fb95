"""Errors about user input, each with the HTTP status and exit code it maps to.

A message is a full sentence that names the file, sheet, row or cell and the
value, and says what to do. Views, the command line and the add-in show
``str(error)`` as it is, so nothing here may hold a traceback.
"""

from __future__ import annotations


class DataPrepError(Exception):
    """Base class of every error that a user can fix by changing their input."""

    status_code = 400
    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExportError(DataPrepError):
    """A Schoology or SIS export that cannot be read: encoding, columns, rows."""

    status_code = 422


class MatchOptionError(DataPrepError):
    """An unknown mapping option or an invalid list of them."""


class WorkbookError(DataPrepError):
    """An uploaded workbook that is not a report of ours or cannot be read."""

    status_code = 422


class ReportNotFoundError(DataPrepError):
    """A workbook whose hidden report id matches no stored report."""

    status_code = 404


class ConflictError(DataPrepError):
    """A request that the current state forbids, such as applying a report twice."""

    status_code = 409


class TransientError(DataPrepError):
    """A fault that may pass, such as a database or queue that is unreachable."""

    status_code = 503
    exit_code = 3
