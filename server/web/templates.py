"""Downloads of the blank workbook templates in ``templates_xlsx/``."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask_login import login_required

logger = logging.getLogger(__name__)

bp = Blueprint("templates", __name__, url_prefix="/templates")

# The repository's templates_xlsx/ folder, next to the server package.
DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates_xlsx"


def templates_dir() -> Path:
    """Return the folder that contains the blank templates."""
    configured = current_app.config.get("DATAPREP_TEMPLATES_DIR")

    return Path(configured) if configured else DEFAULT_TEMPLATES_DIR


def list_templates() -> list[str]:
    """List the template workbook and CSV file names, sorted."""
    folder = templates_dir()
    if not folder.is_dir():
        return []

    return sorted(
        path.name
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in {".xlsx", ".csv"}
    )


@bp.get("/<name>")
@login_required
def download(name: str):
    """Send one template file.

    :raise 404: when no template has that name.
    """
    if name not in list_templates():
        abort(404, f"No template is named '{name}'. Pick one from the Data Prep page.")

    logger.info("Template download of %s", name)

    return send_from_directory(templates_dir(), name, as_attachment=True)
