"""The JSON API under ``/api``, described by ``/api/openapi.json``.

Clients authenticate with ``Authorization: Bearer TOKEN``. A browser that is
signed in with a session cookie may call it too, but then every request that
changes something must carry the CSRF token in an ``X-CSRFToken`` header.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_login import current_user

from ..auth import csrf
from ..auth.loaders import bearer_token

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def protect_session_requests():
    """Check the CSRF token of a request that a session cookie signs in.

    CSRFProtect skips this blueprint, because a request with a Bearer token
    cannot be forged by a third-party page. A request with neither a token
    nor a session has nothing to forge, so the view's role check rejects it
    with the 401 that asks for a token.
    """
    if bearer_token(request) is None and current_user.is_authenticated:
        csrf.protect()


def init_app(app: Flask) -> None:
    """Register the API blueprint, exempt from the form CSRF check."""
    from . import routes  # noqa: F401  (registers the views on bp)

    csrf.exempt(bp)
    app.register_blueprint(bp)
