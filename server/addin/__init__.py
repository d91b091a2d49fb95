"""The Excel add-in: its files, the rendered manifest, and its commands.

The add-in's pages and scripts live in the repository's ``addin/`` folder and
are served from this server's origin, so the manifest, the pages and the API
calls share one origin over HTTPS.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, request

from ..auth import csrf
from ..auth.loaders import bearer_token
from . import remote

ROOT = Path(__file__).resolve().parent.parent.parent

bp = Blueprint("addin", __name__, url_prefix="/addin")


@bp.before_request
def check_command_request():
    """Require a Bearer token and the xlwings license key for every command.

    A Bearer token cannot be forged by a third-party page, so refusing
    session cookies here keeps CSRF out of reach. The license is checked
    before the body is read, so a missing key is reported before any upload.
    """
    if request.method != "POST":
        return None

    if bearer_token(request) is None:
        return current_app.login_manager.unauthorized()

    remote.require_license()

    return None


def init_app(app: Flask) -> None:
    """Register the add-in blueprint and the folders it serves files from."""
    from . import views  # noqa: F401  (registers the views on bp)

    # NOTE: these defaults are folders of the source checkout; a wheel built
    # from pyproject.toml does not contain them, so set both when installing.
    app.config.setdefault("DATAPREP_ADDIN_DIR", str(ROOT / "addin"))
    app.config.setdefault("DATAPREP_TEMPLATES_DIR", str(ROOT / "templates_xlsx"))
    csrf.exempt(bp)
    app.register_blueprint(bp)
