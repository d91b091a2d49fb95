"""Gather SIS users from one or more files and merge rows of the same person.

SIS exports repeat a person once per school: PowerSchool and OneRoster rows
with the same key and the same name are one person, whose ``school`` lists
every school. The same key on two different people is an error in the export.
"""

from __future__ import annotations

import sys
import unicodedata

from ..errors import ExportError
from ..model import SisUser
from ..normalize import show_invisible
from .source import Table

SCHOOL_SEPARATOR = ", "


def same_text(first: str, second: str) -> bool:
    return first.strip().casefold() == second.strip().casefold()


def conflicts(first: str, second: str) -> bool:
    """Return True when two values of one field disagree. A blank agrees."""
    return bool(first.strip() and second.strip()) and not same_text(first, second)


def join_schools(first: str, second: str) -> str:
    """Add the schools of ``second`` to ``first``, keeping each school once."""
    schools = [school for school in first.split(SCHOOL_SEPARATOR) if school]
    for school in second.split(SCHOOL_SEPARATOR):
        if school and school not in schools:
            schools.append(school)

    return sys.intern(SCHOOL_SEPARATOR.join(schools))


class SisCollector:
    """The SIS users read so far, one per local ID, with where each came from."""

    def __init__(self):
        self.users: list[SisUser] = []
        self.by_local_id: dict[str, SisUser] = {}
        # The table that each source file name was read from, so that a
        # message can name an earlier row as "users.csv, line 4".
        self.tables: dict[str, Table] = {}
        self.merged = 0

    def add(self, user: SisUser, table: Table) -> None:
        """Add a user read from ``table``, or merge it into an earlier row.

        Rows merge when they have the same local ID and the same person.

        :raise ExportError: when the earlier row with that local ID is a
            different person.
        """
        self.tables.setdefault(user.source, table)
        if not user.sis_key.isascii():
            check_key_characters(user, table)
        earlier = self.by_local_id.get(user.local_id)
        if earlier is None:
            self.by_local_id[user.local_id] = user
            self.users.append(user)
            return

        if not self.is_same_person(earlier, user):
            first = self.tables[earlier.source].where(earlier.line)
            raise ExportError(
                f"{first} and {table.where(user.line)}: both rows have the SIS "
                f"key '{user.sis_key}' but they are different people "
                f"('{earlier.first_name} {earlier.last_name}' and "
                f"'{user.first_name} {user.last_name}'). Every person needs their "
                "own key, so fix the records in the SIS and export the file again."
            )

        merge_into(earlier, user)
        self.merged += 1

    @staticmethod
    def is_same_person(first: SisUser, second: SisUser) -> bool:
        if not same_text(first.first_name, second.first_name):
            return False

        if not same_text(first.last_name, second.last_name):
            return False

        return not (
            conflicts(first.number, second.number)
            or conflicts(first.email, second.email)
        )


def check_key_characters(user: SisUser, table: Table) -> None:
    """Raise for a SIS key with an invisible character in it.

    Excel shows a zero-width space or a direction mark as nothing, and
    validation trims them from a typed ID, so a local ID that contains one
    could never be typed into the Integration-Mapping ID.
    """
    for char in user.sis_key:
        if unicodedata.category(char) in ("Cf", "Cc"):
            raise ExportError(
                f"{table.where(user.line)}: the SIS key "
                f"'{show_invisible(user.sis_key)}' contains the "
                f"invisible character U+{ord(char):04X} "
                f"({unicodedata.name(char, 'unnamed')}), so its local ID could "
                "never be typed. Remove the character in the SIS and export the "
                "file again."
            )


def merge_into(user: SisUser, other: SisUser) -> None:
    """Add another row's schools to a user, and fill the user's blank fields."""
    user.school = join_schools(user.school, other.school)
    for name in ("number", "middle_name", "username", "email", "grade"):
        if not getattr(user, name).strip() and getattr(other, name).strip():
            setattr(user, name, getattr(other, name))
