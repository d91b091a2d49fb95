"""The workflow steps that the API, web pages, command line and add-in share.

Each function works on the current app's database session, takes the acting
account where it records who did something, and raises a DataPrepError for
bad input. A service commits when its step is done, so callers commit nothing.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Create the storage folders."""
    from . import storage

    storage.init_app(app)
