"""Sign-in and sign-out pages."""

import pytest

from server.web.auth_views import safe_next_url

from .web_helpers import PASSWORD, add_account, csrf_token, post, sign_in

pytestmark = pytest.mark.database


def test_pages_redirect_to_sign_in(client):
    response = client.get("/logs/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/logs/")


def test_login_page_labels_inputs(client):
    page = client.get("/login").get_data(as_text=True)

    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("", PASSWORD),
        ("nobody", PASSWORD),
        ("ada.admin", "wrong password"),
        ("ada.admin", ""),
    ],
)
def test_login_rejects_bad_credentials(app, client, username, password):
    add_account(app, "ada.admin", "admin")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client),
        },
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 401
    assert 'id="login-error"' in page
    assert "The username or password is wrong" in page
    assert 'aria-describedby="login-error"' in page


def test_login_without_csrf_token_fails(app, client):
    add_account(app, "ada.admin", "admin")
    response = client.post(
        "/login", data={"username": "ada.admin", "password": PASSWORD}
    )

    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "<title>Form check failed</title>" in page
    assert "<h1>Form check failed</h1>" in page
    assert "The CSRF token is missing. Reload the page and submit" in page
    assert "Csrf" not in page


def test_login_follows_next_path(app, client):
    add_account(app, "ada.admin", "admin")
    response = client.post(
        "/login?next=/logs/",
        data={
            "username": "ada.admin",
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/logs/"


@pytest.mark.parametrize(
    "target",
    [
        "https://attacker.example/",
        "//attacker.example/path",
        "javascript:alert(1)",
        "logs/",
        "",
        None,
    ],
)
def test_safe_next_url_rejects_other_hosts(app, target):
    with app.test_request_context():
        assert safe_next_url(target) == "/"


def test_logout_signs_out(app, client):
    sign_in(app, client)
    response = post(client, "/logout")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_logout_needs_csrf_token(app, client):
    sign_in(app, client)
    response = client.post("/logout")

    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_header_names_account_and_role(app, client):
    sign_in(app, client, "vera.viewer", "viewer")
    page = client.get("/").get_data(as_text=True)

    assert "vera.viewer (viewer)" in page
    assert "Sign out" in page


def test_viewer_menu_has_no_update_users(app, client):
    sign_in(app, client, "vera.viewer", "viewer")
    page = client.get("/").get_data(as_text=True)

    assert 'href="/updates/"' not in page
    assert 'href="/validate/"' in page
    assert 'href="/logs/"' in page


def test_admin_menu_has_update_users(app, client):
    sign_in(app, client)
    page = client.get("/updates/").get_data(as_text=True)

    assert '<a href="/updates/" aria-current="page">Update Users</a>' in page
