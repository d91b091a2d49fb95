"""Staff accounts: creation, password checks and API tokens.

Passwords are stored as werkzeug.security hashes. An API token is 32 random
bytes, shown once. Only its SHA-256 is stored: a plain hash is enough for a
random value of that length, and it lets a request find its user by index.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.errors import ConflictError, DataPrepError
from ..models import ROLES, User, utcnow

logger = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "dp_"

# Checked when a username is unknown, so that a failed sign-in takes as long
# for a missing account as for a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """Add a staff account with a hashed password.

    :raise DataPrepError: for an invalid username, role or short password.
    :raise ConflictError: when the username is taken.
    """
    if not USERNAME_PATTERN.match(username):
        raise DataPrepError(
            f"Username {username!r} is invalid; use 1 to 80 letters, digits "
            "or the characters . _ @ -."
        )

    if role not in ROLES:
        raise DataPrepError(f"Role {role!r} is invalid; use admin or viewer.")

    check_password(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"User {username!r} already exists; pick another name.")

    user = User(username=username, role=role, password_hash="")
    set_password(user, password)
    session.add(user)
    session.flush()
    logger.info("Created user %d with role %s", user.id, role)

    return user


def check_password(password: str) -> None:
    """Reject a password that is too short to be stored."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataPrepError(
            f"The password is too short; use at least {MIN_PASSWORD_LENGTH} characters."
        )


def set_password(user: User, password: str) -> None:
    """Store the hash of a new password on the account.

    DATAPREP_PASSWORD_METHOD picks the werkzeug.security method; the default
    is scrypt, and the tests use a cheap PBKDF2 to stay fast.
    """
    check_password(password)
    method = current_app.config["DATAPREP_PASSWORD_METHOD"]
    user.password_hash = generate_password_hash(password, method=method)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the account when the password matches, otherwise None."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None

    if not check_password_hash(user.password_hash, password):
        logger.info("Sign-in failed for user %d", user.id)
        return None

    return user


def get_user(session: Session, username: str) -> User:
    """Find an account by username.

    :raise DataPrepError: when no account has that name.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise DataPrepError(
            f"User {username!r} not found; create it with "
            f"'dataprep create-user {username}'."
        )

    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User) -> str:
    """Issue a new API token for the account, replacing any earlier one."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.token_hash = hash_token(token)
    user.token_created_at = utcnow()
    session.flush()
    logger.info("Issued an API token for user %d", user.id)

    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the account whose token this is, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None

    digest = hash_token(token)
    user = session.scalar(select(User).where(User.token_hash == digest))
    if user is None or not hmac.compare_digest(user.token_hash or "", digest):
        return None

    return user
