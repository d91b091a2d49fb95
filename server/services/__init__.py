"""The workflow steps that the API, web pages, command line and add-in share.

Each function works on the current app's database session, takes the acting
account where it records who did something, and raises a DataPrepError for
bad input. A service commits when its step is done, so callers commit nothing.
"""

from __future__ import annotations

import logging

from flask import Flask

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the storage folders and register the job functions."""
    # Importing the reports module registers its job function.
    from . import reports, storage

    storage.init_app(app)
    logger.info("Registered the %s job", reports.REPORT_JOB)
