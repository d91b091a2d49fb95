"""Accounts: password hashes, API tokens, roles and CSRF."""

import pytest
from flask import Blueprint
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from server.auth import (
    admin_required,
    authenticate,
    create_token,
    create_user,
    hash_token,
    user_for_token,
)
from server.core.errors import ConflictError, DataPrepError
from server.db import get_session
from server.models import User

pytestmark = pytest.mark.database


def test_password_stored_as_hash(app):
    with app.app_context():
        session = get_session()
        user = create_user(session, "pat.lee", "long enough pw", "admin")
        session.commit()

        assert "long enough pw" not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert authenticate(session, "pat.lee", "long enough pw") is user
        assert authenticate(session, "pat.lee", "wrong password") is None
        assert authenticate(session, "nobody", "long enough pw") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("bad name", "long enough pw", "admin", "Username 'bad name' is invalid"),
        ("ok.name", "short", "admin", "too short"),
        ("ok.name", "long enough pw", "owner", "Role 'owner' is invalid"),
    ],
)
def test_create_user_rejects(app, username, password, role, message):
    with app.app_context(), pytest.raises(DataPrepError, match=message):
        create_user(get_session(), username, password, role)


def test_create_user_rejects_duplicate(app):
    with app.app_context():
        session = get_session()
        create_user(session, "pat.lee", "long enough pw", "viewer")
        with pytest.raises(ConflictError, match="'pat.lee' already exists"):
            create_user(session, "pat.lee", "other long pw", "viewer")


def test_token_stored_as_hash(app):
    with app.app_context():
        session = get_session()
        user = create_user(session, "pat.lee", "long enough pw", "viewer")
        token = create_token(session, user)
        session.commit()
        stored = session.get(User, user.id).token_hash

        assert token.startswith("dp_")
        assert stored == hash_token(token)
        assert token not in stored
        assert user_for_token(session, token) is user
        assert user_for_token(session, token + "x") is None
        assert user_for_token(session, "not-a-token") is None


def test_new_token_replaces_old(app):
    with app.app_context():
        session = get_session()
        user = create_user(session, "pat.lee", "long enough pw", "viewer")
        old = create_token(session, user)
        new = create_token(session, user)

        assert user_for_token(session, old) is None
        assert user_for_token(session, new) is user


def test_api_accepts_bearer_token(client, viewer_headers):
    response = client.get("/api/me", headers=viewer_headers)

    assert response.status_code == 200
    assert response.json == {"username": "victor.viewer", "role": "viewer"}


@pytest.mark.parametrize(
    "header", ["Bearer dp_wrong", "Basic dXNlcjpwYXNz", "Bearer ", "dp_missing"]
)
def test_api_rejects_bad_authorization(client, header):
    response = client.get("/api/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def form_app(app):
    """Add a form view and a sign-in helper, to test CSRF and roles."""
    bp = Blueprint("formtest", __name__)

    @bp.post("/formtest/submit")
    @admin_required
    def submit():
        return "submitted"

    @bp.get("/formtest/login/<username>")
    def login(username):
        session = get_session()
        login_user(session.query(User).filter_by(username=username).one())
        return "signed in"

    @bp.get("/formtest/token")
    def token():
        return generate_csrf()

    app.register_blueprint(bp)
    app.config["WTF_CSRF_ENABLED"] = True

    return app


def test_csrf_rejects_form_without_token(form_app, admin_token):
    client = form_app.test_client()
    client.get("/formtest/login/alma.admin")
    response = client.post("/formtest/submit", data={"x": "1"})

    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


def test_csrf_accepts_form_with_token(form_app, admin_token):
    client = form_app.test_client()
    client.get("/formtest/login/alma.admin")
    token = client.get("/formtest/token").text
    response = client.post("/formtest/submit", data={"csrf_token": token})

    assert response.status_code == 200
    assert response.text == "submitted"


def test_viewer_cannot_submit_form(form_app, viewer_token):
    client = form_app.test_client()
    client.get("/formtest/login/victor.viewer")
    token = client.get("/formtest/token").text
    response = client.post("/formtest/submit", data={"csrf_token": token})

    assert response.status_code == 403
    assert "needs the admin role" in response.text


def test_api_session_post_needs_csrf_header(form_app, viewer_token):
    @form_app.post("/api/echo")
    def echo():
        return {"ok": True}

    client = form_app.test_client()
    client.get("/formtest/login/victor.viewer")
    response = client.post("/api/echo", json={})

    assert response.status_code == 400
    assert response.json["error"] == "csrf"
