"""Accounts: password hashes, API tokens, roles and CSRF."""

import pytest
from flask import Blueprint
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

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


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer ", "dp_missing"])
def test_api_rejects_bad_authorization(client, header):
    response = client.get("/api/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"] == "unauthorized"


# Every POST route of the API. Each rejects a request without a token before
# the view reads the body, so the tests send none.
API_POSTS = [
    "/api/sources/schoology",
    "/api/sources/sis",
    "/api/reports",
    "/api/validate",
    "/api/updates/preview",
    "/api/updates",
    "/api/updates/undo",
]


@pytest.mark.parametrize("path", API_POSTS)
def test_api_post_without_token_is_401(client, path):
    response = client.post(path)

    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert "send 'Authorization: Bearer TOKEN'" in response.json["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="dataprep"'


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_api_wrong_token_is_invalid(client, method):
    response = client.open(
        "/api/updates", method=method, headers={"Authorization": "Bearer dp_wrong"}
    )

    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"
    assert response.json["message"].startswith("The API token is invalid")
    assert "Sign-in required" not in response.json["message"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_api_replaced_token_is_invalid(app, client, viewer_token):
    with app.app_context():
        session = get_session()
        user = session.scalars(select(User).filter_by(username="victor.viewer")).one()
        create_token(session, user)
        session.commit()
    headers = {"Authorization": f"Bearer {viewer_token}"}
    read = client.get("/api/me", headers=headers)
    write = client.post("/api/validate", headers=headers)

    assert read.status_code == 401
    assert read.json["error"] == "invalid_token"
    assert write.status_code == 401
    assert write.json["error"] == "invalid_token"


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
    assert "in an X-CSRFToken header" in response.json["message"]
