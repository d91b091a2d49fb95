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


MISSING_TOKEN_MESSAGE = (
    "Sign-in required; send 'Authorization: Bearer TOKEN' with a token from "
    "'dataprep create-token USERNAME'."
)
INVALID_TOKEN_MESSAGE = (
    "The API token is invalid or was replaced by a newer one; create a new token "
    "with 'dataprep create-token USERNAME' and send it as 'Authorization: Bearer "
    "TOKEN'."
)


def unauthorized():
    """Reject a request without an account: 401 JSON or a sign-in redirect.

    A request that sent a Bearer token gets the message that the token is
    invalid, not the one that asks to sign in.
    """
    if wants_json(request):
        return unauthorized_json(bearer_token(request) is not None)

    view = current_app.login_manager.login_view
    if view and view in current_app.view_functions:
        return redirect(url_for(view, next=request.full_path))

    return "Sign-in required.", 401


def unauthorized_json(sent_token: bool):
    """Build the 401 response of the API, with RFC 6750's WWW-Authenticate."""
    challenge = 'Bearer realm="dataprep"'
    if sent_token:
        response = jsonify(error="invalid_token", message=INVALID_TOKEN_MESSAGE)
        challenge += ', error="invalid_token"'
    else:
        response = jsonify(error="unauthorized", message=MISSING_TOKEN_MESSAGE)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = challenge

    return response
