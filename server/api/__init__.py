"""The JSON API under ``/api``, described by ``/api/openapi.json``.

Clients authenticate with ``Authorization: Bearer TOKEN``. A browser that is
signed in with a session cookie may call it too, but then every request that
changes something must carry the CSRF token in an ``X-CSRFToken`` header.
"""

from __future__ import annotations

from flask import Blueprint, Flask, g, request
from flask_login import current_user

from ..auth import csrf
from ..auth.loaders import bearer_token
from ..core import frontend

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def use_api_words():
    """Word the next steps in this request's messages for API clients.

    It is registered before the blueprint's other hooks, so their errors get
    the API's words too. API clients have no Logs or Data Prep page, so the
    messages name routes.
    """
    g.front_end_token = frontend.select(frontend.API)


@bp.teardown_request
def restore_words(_error):
    """Give the thread back the words it had, for the next request it serves."""
    token = g.pop("front_end_token", None)
    if token is not None:
        frontend.restore(token)


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
