"""Sign-in and sign-out pages for staff accounts."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import authenticate
from ..db import get_session

logger = logging.getLogger(__name__)

bp = Blueprint("auth_views", __name__)

FAILED_MESSAGE = "The username or password is wrong. Check both and try again."


def safe_next_url(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the Data Prep page.

    Only a relative path is followed, so a crafted ``next`` cannot send the
    browser to another host after sign-in.
    """
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            if not target.startswith("//"):
                return target

    return url_for("dataprep.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the account in."""
    next_url = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(safe_next_url(next_url))

    username = ""
    error = None
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = authenticate(get_session(), username, password) if username else None
        if user is not None:
            login_user(user)
            logger.info("User %d signed in", user.id)
            return redirect(safe_next_url(next_url))

        error = FAILED_MESSAGE
        status = 401

    page = render_template(
        "auth_views/login.html", username=username, error=error, next_url=next_url
    )

    return page, status


@bp.post("/logout")
@login_required
def logout():
    """Sign the account out and return to the sign-in page."""
    logger.info("User %d signed out", current_user.id)
    logout_user()
    flash("You are signed out.", "success")

    return redirect(url_for("auth_views.login"))
