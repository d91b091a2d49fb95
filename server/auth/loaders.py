"""Flask-Login loaders: the session cookie and the Bearer token."""

from __future__ import annotations

from flask import Request, current_app, jsonify, redirect, request, url_for

from ..db import get_session
from ..models import User
from .accounts import user_for_token


def load_session_user(user_id: str) -> User | None:
    """Load the signed-in account from the id stored in the session cookie."""
    try:
        key = int(user_id)
    except ValueError:
        return None

    return get_session().get(User, key)


def bearer_token(req: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, if any."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None

    return token.strip()


def load_token_user(req: Request) -> User | None:
    """Load the account of a request that carries an API token."""
    token = bearer_token(req)
    if token is None:
        return None

    return user_for_token(get_session(), token)


def wants_json(req: Request) -> bool:
    """Tell whether the response to a request should be JSON, not HTML."""
    if req.path.startswith("/api/") or req.path.startswith("/addin/api"):
        return True

    if req.is_json or "Authorization" in req.headers:
        return True

    best = req.accept_mimetypes.best_match(["text/html", "application/json"])

    return best == "application/json"


def unauthorized():
    """Reject a request without an account: 401 JSON or a sign-in redirect."""
    if wants_json(request):
        response = jsonify(
            error="unauthorized",
            message="Sign-in required; send 'Authorization: Bearer TOKEN' "
            "with a token from 'dataprep create-token USERNAME'.",
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="dataprep"'
        return response

    view = current_app.login_manager.login_view
    if view and view in current_app.view_functions:
        return redirect(url_for(view, next=request.full_path))

    return "Sign-in required.", 401
