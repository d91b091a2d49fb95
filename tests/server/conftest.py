"""Fixtures for the service tests: accounts and their API tokens."""

import pytest

from server.auth import create_token, create_user
from server.db import get_session


def make_account(app, username: str, role: str) -> str:
    """Create an account with a token and return the token."""
    with app.app_context():
        session = get_session()
        user = create_user(session, username, "correct horse battery", role)
        token = create_token(session, user)
        session.commit()

    return token


@pytest.fixture
def admin_token(app) -> str:
    return make_account(app, "alma.admin", "admin")


@pytest.fixture
def viewer_token(app) -> str:
    return make_account(app, "victor.viewer", "viewer")


@pytest.fixture
def admin_headers(admin_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def viewer_headers(viewer_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {viewer_token}"}
