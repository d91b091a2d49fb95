"""Staff accounts: sign-in sessions, API tokens, roles and CSRF protection.

Browsers sign in with a password and carry a session cookie, so their forms
need a CSRF token. API clients send ``Authorization: Bearer TOKEN`` and are
exempt from CSRF, because a browser never adds that header by itself.
"""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .accounts import (
    authenticate,
    create_token,
    create_user,
    get_user,
    hash_token,
    set_password,
    user_for_token,
)
from .decorators import admin_required, current_actor, role_required, viewer_required

__all__ = [
    "admin_required",
    "authenticate",
    "create_token",
    "create_user",
    "csrf",
    "current_actor",
    "get_user",
    "hash_token",
    "init_app",
    "login_manager",
    "role_required",
    "set_password",
    "user_for_token",
    "viewer_required",
]

login_manager = LoginManager()
csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """Set up Flask-Login with session and token loaders, and CSRFProtect."""
    from . import loaders

    login_manager.init_app(app)
    login_manager.user_loader(loaders.load_session_user)
    login_manager.request_loader(loaders.load_token_user)
    login_manager.unauthorized_handler(loaders.unauthorized)
    # The web blueprint registers its sign-in view under this endpoint name.
    login_manager.login_view = app.config.get("DATAPREP_LOGIN_VIEW", "web.login")
    csrf.init_app(app)
