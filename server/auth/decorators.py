"""View decorators that require a signed-in account with a role."""

from __future__ import annotations

import functools

from flask import abort, current_app
from flask_login import current_user

from ..models import ADMIN, VIEWER

# Roles in increasing order of rights: an admin can do all that a viewer can.
ROLE_RANK = {VIEWER: 1, ADMIN: 2}


def role_required(role: str):
    """Require a signed-in account whose role is ``role`` or above.

    :raise 401: when no account is signed in.
    :raise 403: when the account's role is lower.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()

            if ROLE_RANK.get(current_user.role, 0) < ROLE_RANK[role]:
                abort(403, f"This needs the {role} role; ask an admin.")

            return view(*args, **kwargs)

        return wrapper

    return decorate


admin_required = role_required(ADMIN)
viewer_required = role_required(VIEWER)


def current_actor():
    """Return the signed-in account, or None outside a signed-in request."""
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()

    return None
