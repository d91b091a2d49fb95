"""Configuration of the Flask service: defaults, instance file and environment.

``create_app`` applies them in this order, so a later source wins: the
defaults below, ``config.py`` in the instance folder, then the environment
(``DATABASE_URL``, ``SECRET_KEY``, ``REDIS_URL`` and every ``DATAPREP_*``
variable), then the ``test_config`` mapping.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Empty means the SQLite file ``dataprep.sqlite`` in the instance folder.
    "DATABASE_URL": "",
    # Apply the Alembic migrations when the app starts.
    "DATAPREP_MIGRATE": True,
    # "thread" runs jobs in a pool inside the server, "rq" queues them on Redis.
    "DATAPREP_JOBS": "thread",
    "DATAPREP_JOB_THREADS": 2,
    "DATAPREP_RQ_QUEUE": "dataprep",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # Where reports, uploads and exports are stored. Empty means the instance
    # folder.
    "DATAPREP_STORAGE_DIR": "",
    # Largest accepted request body in bytes (Flask's MAX_CONTENT_LENGTH).
    "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    # werkzeug.security's method for password hashes.
    "DATAPREP_PASSWORD_METHOD": "scrypt",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
}

# Environment variables outside the DATAPREP_ prefix that are read as well.
PLAIN_ENV_KEYS = ("DATABASE_URL", "SECRET_KEY", "REDIS_URL", "MAX_CONTENT_LENGTH")

SECRET_KEY_FILE = "secret_key"


def env_settings(environ=None) -> dict:
    """Collect the settings that the environment sets, converted to their types.

    A value whose default is a bool accepts 1/0, true/false, yes/no and on/off.
    A value whose default is an int must be a whole number.
    """
    environ = os.environ if environ is None else environ
    settings = {}
    for key, raw in environ.items():
        if key not in PLAIN_ENV_KEYS and not key.startswith("DATAPREP_"):
            continue

        settings[key] = convert_setting(key, raw)

    return settings


def convert_setting(key: str, raw: str):
    """Convert one environment value to the type of its default."""
    default = DEFAULTS.get(key)
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True

        if lowered in {"0", "false", "no", "off", ""}:
            return False

        raise ValueError(f"{key}={raw!r} is not a boolean; use true or false.")

    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{key}={raw!r} is not a whole number.") from None

    return raw


def sqlite_url(instance_path: str) -> str:
    """Build the URL of the default SQLite database in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "dataprep.sqlite")


def load_secret_key(instance_path: str) -> str:
    """Read the instance folder's secret key, creating it on first use.

    The file is written with mode 0600 and lives outside the repository.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()

    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key + "\n")
    logger.info("Created a secret key in the instance folder")

    return key
