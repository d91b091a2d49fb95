"""Reading the files of a submitted form into the services' upload type."""

from __future__ import annotations

from flask import request

from ..services.uploads import UploadedFile


def uploaded_files(field: str) -> list[UploadedFile]:
    """Read the files of one file input; an input left empty gives an empty list."""
    return [
        UploadedFile(name=storage.filename or "", data=storage.read())
        for storage in request.files.getlist(field)
        if storage.filename
    ]


def uploaded_file(field: str) -> UploadedFile | None:
    """Read the single file of a file input, or None when none was chosen."""
    files = uploaded_files(field)

    return files[0] if files else None
