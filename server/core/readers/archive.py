"""Unpack the user files of a zipped OneRoster export into a folder.

SIS vendors deliver OneRoster CSV as one ZIP file. Only users.csv, roles.csv
and orgs.csv are unpacked, under those fixed names, so a member's path can
never point outside the target folder.
"""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import ExportError
from ..xlsx import package_problem
from .detect import ONEROSTER_FILES

logger = logging.getLogger(__name__)

# A users.csv of 1,000,000 users is about 200 MB, so this leaves ten times
# that. It stops a small archive that unpacks to a huge file from filling
# the disk.
MAX_MEMBER_BYTES = 2 * 1024**3
COPY_CHUNK_BYTES = 1024 * 1024


def is_archive(path: Path) -> bool:
    return path.suffix.lower() == ".zip" and path.is_file()


def extract_oneroster(path: Path, folder: Path) -> list[Path]:
    """Unpack users.csv, roles.csv and orgs.csv from ``path`` into ``folder``.

    Members are found in any subfolder of the archive and in any letter case.
    Return the unpacked files in the order users, roles, orgs.

    :raise ExportError: when the file is not a ZIP archive, has no users.csv
        or two of one file, is encrypted, or a member unpacks to more than
        MAX_MEMBER_BYTES.
    """
    try:
        bundle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ExportError(
            f"{path.name}: the file is not a ZIP archive that can be read "
            f"({error}). Download the OneRoster export again."
        ) from None

    with bundle:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in bundle.infolist():
            name = PurePosixPath(info.filename).name.lower()
            if info.is_dir() or name not in ONEROSTER_FILES:
                continue

            if name in members:
                raise ExportError(
                    f"{path.name}: the ZIP archive contains more than one {name} "
                    f"('{members[name].filename}' and '{info.filename}'), so it is "
                    "not clear which export to read. Pass an archive of one "
                    "OneRoster export, or unzip it and pass the folder you mean."
                )
            members[name] = info

        if "users.csv" not in members:
            raise ExportError(
                f"{path.name}: the ZIP archive contains no users.csv, so it is "
                "not a OneRoster export. Pass the archive that the SIS wrote "
                "for OneRoster, or the export files themselves."
            )

        problem = package_problem(bundle, members=list(members.values()))
        if problem is not None:
            raise ExportError(f"{path.name} {problem}")

        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for name in ONEROSTER_FILES:
            if name in members:
                files.append(unpack(bundle, members[name], path, folder / name))

    logger.info("Unpacked %d OneRoster files from an archive", len(files))

    return files


def unpack(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, target: Path):
    """Copy one member to ``target``, stopping at MAX_MEMBER_BYTES."""
    if info.flag_bits & 0x1:
        raise ExportError(
            f"{path.name}: {info.filename} is encrypted. Export the OneRoster "
            "files again without a password."
        )

    written = 0
    try:
        with bundle.open(info) as source, target.open("wb") as output:
            while chunk := source.read(COPY_CHUNK_BYTES):
                written += len(chunk)
                if written > MAX_MEMBER_BYTES:
                    raise ExportError(
                        f"{path.name}: {info.filename} unpacks to more than "
                        f"{MAX_MEMBER_BYTES // 1024**3} GiB, which is far more "
                        "than a users file needs. Check the archive."
                    )
                output.write(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError) as error:
        target.unlink(missing_ok=True)
        raise ExportError(
            f"{path.name}: {info.filename} cannot be unpacked ({error}). "
            "Download the OneRoster export again."
        ) from None

    return target
