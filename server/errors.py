"""Error handlers: one per exception type, JSON for API calls, HTML otherwise.

A DataPrepError carries its own status and a message for the user. Werkzeug's
HTTP errors (401, 403, 404, 413, ...) keep their status. Anything else is a
500 with a generic message, logged once with its traceback, and the database
session is rolled back so the failed request leaves nothing half written.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .auth.loaders import wants_json
from .core import errors as core_errors
from .db import get_database

logger = logging.getLogger(__name__)

GENERIC_MESSAGE = (
    "The server failed to handle this request. The error is logged; try again, "
    "and tell the administrator if it happens again."
)

# Titles of the HTML error pages whose code does not read as one.
PAGE_TITLES = {
    "csrf": "Form check failed",
    "export": "Invalid export",
    "internal": "Server error",
    "invalid_input": "Invalid input",
    "match_option": "Invalid mapping option",
    "missing_import": "Nothing imported yet",
    "too_large": "Upload too large",
    "transient": "Service unavailable",
    "upload": "Unsupported file",
    "workbook": "Invalid workbook",
}


def error_response(status: int, code: str, message: str) -> Response:
    """Build the JSON or HTML response for an error."""
    if wants_json(request):
        response = jsonify(error=code, message=message)
    else:
        title = escape(PAGE_TITLES.get(code) or code.replace("_", " ").capitalize())
        response = Response(
            f"<!doctype html><title>{title}</title><h1>{title}</h1>"
            f"<p>{escape(message)}</p>",
            mimetype="text/html",
        )
    response.status_code = status

    return response


def rollback() -> None:
    try:
        get_database().sessions.rollback()
    except Exception:  # a broken connection must not hide the first error
        logger.exception("Rolling back the session failed")


def error_code(error_class: type) -> str:
    """Turn an exception class name into a code: ``ConflictError`` → ``conflict``.

    DataPrepError itself, raised for input without a class of its own, is
    ``invalid_input``.
    """
    if error_class is core_errors.DataPrepError:
        return "invalid_input"

    name = error_class.__name__.removesuffix("Error") or "error"
    chars = [f"_{c.lower()}" if c.isupper() else c for c in name]

    return "".join(chars).lstrip("_")


def handle_data_prep_error(error: core_errors.DataPrepError):
    """Build the response to an input error from its status code and message."""
    rollback()
    # A subclass defined outside server.core (such as UploadError) reaches the
    # handler of its nearest registered parent, so the code comes from the
    # instance's class.
    name = type(error).__name__
    logger.info(
        "%s %s failed with %s (%d)",
        request.method,
        request.path,
        name,
        error.status_code,
    )
    response = error_response(error.status_code, error_code(type(error)), error.message)
    if isinstance(error, core_errors.TransientError):
        response.headers["Retry-After"] = "30"

    return response


def core_error_classes() -> list[type[core_errors.DataPrepError]]:
    """List DataPrepError and every subclass defined in server.core.errors."""
    classes = []
    for value in vars(core_errors).values():
        if isinstance(value, type) and issubclass(value, core_errors.DataPrepError):
            classes.append(value)

    return classes


def handle_http(error: HTTPException):
    if (error.code or 500) >= 500:
        rollback()

    return error_response(error.code or 500, http_code(error), error.description)


def http_code(error: HTTPException) -> str:
    return (error.name or "error").lower().replace(" ", "_")


def handle_too_large(error: RequestEntityTooLarge):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    # A chunked request has no Content-Length, so its size is not known.
    size = request.content_length
    logger.info(
        "Rejected an upload on %s %s: %s is over the limit of %d bytes",
        request.method,
        request.path,
        "an unknown size" if size is None else f"{size} bytes",
        limit,
    )
    # A limit below 1 KiB is shown in bytes already.
    exact = f" ({limit:,} bytes)" if limit >= 1024 else ""
    message = (
        f"The upload is larger than the limit of {format_size(limit)}{exact}; "
        "split the file or ask the administrator to raise MAX_CONTENT_LENGTH."
    )

    return error_response(413, "too_large", message)


def format_size(size: int) -> str:
    """Format a byte count in the largest binary unit it reaches: ``1.5 MiB``.

    Sizes below 1 KiB stay in bytes. Other sizes are cut to one decimal,
    never rounded up, and a decimal of zero is left out.
    """
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            value = (size * 10 // factor) / 10
            return f"{value:,.1f}".removesuffix(".0") + f" {unit}"

    return "1 byte" if size == 1 else f"{size:,} bytes"


def handle_csrf(error: CSRFError):
    # Flask-WTF's descriptions are sentences such as "The CSRF token is missing."
    if wants_json(request):
        message = (
            f"{error.description} Send the CSRF token of the signed-in page in "
            "an X-CSRFToken header, or call the API with an API token instead."
        )
    else:
        message = f"{error.description} Reload the page and submit the form again."
    logger.info("%s %s rejected: %s", request.method, request.path, error.description)

    return error_response(400, "csrf", message)


def handle_database_unavailable(error: OperationalError):
    # OperationalError covers a refused connection, a lost server and SQLite's
    # "database is locked": faults that pass, so the client may retry.
    rollback()
    logger.error(
        "Database error on %s %s: %s",
        request.method,
        request.path,
        type(error.orig).__name__,
    )
    response = error_response(
        503,
        "transient",
        "The database is unavailable or busy; try again in a minute.",
    )
    response.headers["Retry-After"] = "30"

    return response


def handle_unexpected(error: Exception):
    rollback()
    logger.exception(
        "Unhandled %s on %s %s", type(error).__name__, request.method, request.path
    )

    return error_response(500, "internal", GENERIC_MESSAGE)


def init_app(app: Flask) -> None:
    """Register the error handlers on the app."""
    for error_class in core_error_classes():
        app.register_error_handler(error_class, handle_data_prep_error)

    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
