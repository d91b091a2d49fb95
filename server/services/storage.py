"""Files the service keeps: report workbooks and CSVs, uploads, exports.

Paths stored in the database are relative to DATAPREP_STORAGE_DIR, so the
folder can move with its database.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

FOLDERS = ("reports", "uploads", "exports")


def init_app(app: Flask) -> None:
    root = Path(app.config["DATAPREP_STORAGE_DIR"])
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)


def root() -> Path:
    return Path(current_app.config["DATAPREP_STORAGE_DIR"])


def absolute(relative: str) -> Path:
    """Resolve a stored relative path, refusing any that leaves the folder."""
    base = root().resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base):
        raise ValueError(f"Stored path {relative!r} is outside the storage folder.")

    return path


def relative(path: Path) -> str:
    return os.path.relpath(path, root())


def write_bytes(folder: str, name: str, data: bytes) -> str:
    """Write a file under ``folder`` atomically and return its relative path."""
    target = root() / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)

    return relative(target)
