"""Turn a Schoology or SIS user into the normalised fields that suggestions compare.

Both sides become a ``Profile`` so that blocking and scoring read one shape.
Names are case-folded with accents removed, so "José Núñez" and "Jose Nunez"
compare equal. Grades and grad years both become a grad year.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import jellyfish
from nicknames import NickNamer

from ..model import Role, SchoologyUser, SisUser

# Letters that NFKD does not split into a base letter and an accent.
_LETTER_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "þ": "th",
        "ð": "d",
        "ı": "i",
    }
)
_NOT_NAME = re.compile(r"[^a-z0-9\s-]")
_SEPARATORS = re.compile(r"[\s-]+")
_NOT_HANDLE = re.compile(r"[^a-z0-9]")

# Particles and suffixes that are parts of a surname but never the part that a
# person keeps when they shorten it: "De La Cruz" is filed as "Cruz".
SURNAME_PARTICLES = frozenset(
    "de del della der den di da dos das du la le van von ter ten st bin ibn al el"
    " y e".split()
)
NAME_SUFFIXES = frozenset("jr sr ii iii iv v".split())

# Mailbox names that identify no person.
GENERIC_LOCAL_PARTS = frozenset(
    "admin info office student teacher parent staff noreply test user".split()
)

# Words that schools add or drop in their names between systems.
_SCHOOL_FILLER = frozenset("school the of academy campus".split())

GRADE_WORDS = {
    "k": 0,
    "kg": 0,
    "kn": 0,
    "0k": 0,
    "pk": -1,
    "p": -1,
    "ps": -1,
    "pk3": -1,
    "pk4": -1,
    "tk": -1,
    "it": -1,
}


@dataclass(slots=True)
class Profile:
    """The comparable fields of one user, from either side.

    ``key`` is the Schoology User ID or the SIS local ID. ``first_names``
    contains the first name with its canonical forms from the nicknames package.
    ``last_parts`` contains the whole surname and each part of a multi-part one.
    ``mailbox`` is the email local part without digits, and ``name_forms``
    are the local parts that districts build from the name ("mhoffman",
    "michaelhoffman", "hoffmanm"). ``number`` is the SIS number, or the
    Schoology User Unique ID, which may hold that number. ``handles``
    gathers the email local part, the username and ``number``, since one
    side may spell in one field what the other spells in another.
    """

    key: str
    role: Role
    first_shown: str
    middle_shown: str
    last_shown: str
    first: str
    first_names: frozenset[str]
    middle: str
    middle_initials: str
    last: str
    last_parts: frozenset[str]
    last_sound: str
    email_local: str
    email_domain: str
    mailbox: str
    name_forms: frozenset[str]
    username: str
    handles: frozenset[str]
    number: str
    schools: frozenset[str]
    grad_year: int | None


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-fold text and strip accents, keeping letters, digits and spaces."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTER_FOLDS))
        text = "".join(char for char in text if not unicodedata.combining(char))

    text = text.replace("'", "").replace("’", "").replace(".", " ")

    return _NOT_NAME.sub(" ", text).strip()


def name_tokens(text: str) -> list[str]:
    """Split a name into folded words; hyphens and spaces both separate."""
    return [token for token in _SEPARATORS.split(fold(text)) if token]


@cache
def nicknamer() -> NickNamer:
    """Load the nicknames package's table once, on first use."""
    return NickNamer()


@cache
def first_name_forms(name: str) -> frozenset[str]:
    """Return a first name with every canonical name it is a nickname of."""
    if not name:
        return frozenset()

    return frozenset({name} | nicknamer().canonicals_of(name))


@cache
def nickname_link(schoology_first: str, sis_first: str) -> tuple[str, bool]:
    """Describe how two different first names are nicknames.

    Returns the phrase and whether one name is a nickname of the other, as
    opposed to both being nicknames of a third name. The phrase is "" when
    the names are not related.
    """
    namer = nicknamer()
    shown_s = schoology_first.title()
    shown_p = sis_first.title()
    if schoology_first in namer.nicknames_of(sis_first):
        return f"{shown_s} is a nickname of {shown_p}", True

    if sis_first in namer.nicknames_of(schoology_first):
        return f"{shown_p} is a nickname of {shown_s}", True

    common = first_name_forms(schoology_first) & first_name_forms(sis_first)
    if common:
        canonical = min(common).title()
        return f"{shown_s} and {shown_p} are both forms of {canonical}", False

    return "", False


def surname_parts(tokens: list[str]) -> tuple[str, frozenset[str]]:
    """Return a surname joined into one word, and its whole form with its parts."""
    tokens = [token for token in tokens if token not in NAME_SUFFIXES] or tokens
    joined = "".join(tokens)
    parts = {token for token in tokens if token not in SURNAME_PARTICLES}
    if len(tokens) > 1:
        # "De La Cruz" may be filed as "Cruz" or as "La Cruz".
        parts.add("".join(tokens[1:]))

    parts.add(joined)

    return joined, frozenset(part for part in parts if len(part) > 1)


@cache
def school_key(name: str) -> str:
    """Fold a school name and drop words that systems add or leave out."""
    words = [word for word in name_tokens(name) if word not in _SCHOOL_FILLER]

    return " ".join(words)


@lru_cache(maxsize=4096)
def school_set(*lists: str) -> frozenset[str]:
    """Collect the schools of comma-separated lists as folded keys."""
    keys = set()
    for text in lists:
        for name in text.split(","):
            key = school_key(name.strip())
            if key:
                keys.add(key)

    return frozenset(keys)


def email_parts(email: str) -> tuple[str, str]:
    """Split an email into a normalised local part and its domain.

    Dots, hyphens, underscores and a "+tag" do not count in the local part,
    so "Robert.Okafor+math" and "robertokafor" compare equal.
    """
    local, sep, domain = email.strip().casefold().rpartition("@")
    if not sep:
        return "", ""

    local = local.split("+", 1)[0]

    return handle_key(local), sys.intern(domain)


def handle_key(text: str) -> str:
    """Normalise a username or email local part; generic mailboxes become ""."""
    # Addresses are nearly all distinct, so they bypass the cache of fold().
    text = text.casefold()
    key = _NOT_HANDLE.sub("", text if text.isascii() else fold(text))
    if key in GENERIC_LOCAL_PARTS or len(key) < 3:
        return ""

    return key


def mailbox_forms(first: str, last_parts: frozenset[str]) -> frozenset[str]:
    """Build the email local parts that districts commonly make from a name."""
    if not first:
        return frozenset()

    forms = set()
    for last in last_parts:
        forms.update((first + last, first[0] + last, last + first, last + first[0]))

    return frozenset(form for form in forms if len(form) > 3)


def current_school_year_end(today: date | None = None) -> int:
    """Return the calendar year in which the current school year ends.

    A school year is taken to start on 1 July, so 2026-12-04 is in the year
    that ends in 2027.
    """
    today = today or date.today()

    return today.year + 1 if today.month >= 7 else today.year


def grad_year_from_grade(grade: str, school_year_end: int) -> int | None:
    """Relate a SIS grade to a grad year: school year end + 12 - grade.

    Kindergarten is grade 0 and pre-kindergarten grade -1. Grades outside
    -1 to 13 and text that is no grade return None.
    """
    text = grade.strip().casefold()
    if not text:
        return None

    level = GRADE_WORDS.get(text)
    if level is None:
        digits = text.removeprefix("grade").strip()
        if not digits.isdigit():
            return None

        level = int(digits)

    if not -1 <= level <= 13:
        return None

    return school_year_end + 12 - level


def parse_grad_year(text: str) -> int | None:
    """Read a four-digit grad year, or None for anything else."""
    text = text.strip()
    if len(text) != 4 or not text.isdigit():
        return None

    return int(text)


def build_profile(
    key: str,
    user: SchoologyUser | SisUser,
    *,
    grad_year: int | None,
    schools: frozenset[str],
    number: str = "",
) -> Profile:
    """Normalise the fields that both sides share into a Profile."""
    first_tokens = name_tokens(user.first_name)
    middle_tokens = name_tokens(user.middle_name)
    # "Robert J." in a first name field carries a middle initial.
    while len(first_tokens) > 1 and len(first_tokens[-1]) == 1:
        middle_tokens.insert(0, first_tokens.pop())

    first = first_tokens[0] if first_tokens else ""
    forms = first_name_forms(first)
    if len(first_tokens) > 1:
        forms = forms | {"".join(first_tokens)}

    last, last_parts = surname_parts(name_tokens(user.last_name))
    email_local, email_domain = email_parts(user.email)
    username = handle_key(user.username.partition("@")[0])
    mailbox = re.sub(r"[0-9]+", "", email_local)
    handles = {email_local, username, number}

    return Profile(
        key=key,
        role=user.role,
        first_shown=user.first_name.strip(),
        middle_shown=user.middle_name.strip(),
        last_shown=user.last_name.strip(),
        first=first,
        first_names=forms,
        middle="".join(middle_tokens),
        middle_initials="".join(token[0] for token in middle_tokens),
        last=last,
        last_parts=last_parts,
        last_sound=jellyfish.metaphone(last) if last else "",
        email_local=email_local,
        email_domain=email_domain,
        mailbox=mailbox if len(mailbox) > 3 else "",
        name_forms=mailbox_forms(first, last_parts),
        username=username,
        handles=frozenset(handle for handle in handles if handle),
        number=number,
        schools=schools,
        grad_year=grad_year,
    )


def schoology_profile(user: SchoologyUser) -> Profile:
    """Build the Profile of a Schoology user."""
    return build_profile(
        user.schoology_id,
        user,
        grad_year=parse_grad_year(user.grad_year),
        schools=school_set(user.school, user.additional_schools),
        number=handle_key(user.unique_id),
    )


def sis_profile(user: SisUser, school_year_end: int) -> Profile:
    """Build the Profile of a SIS user; its grade becomes a grad year."""
    grad_year = None
    if user.role is Role.STUDENT:
        grad_year = grad_year_from_grade(user.grade, school_year_end)

    return build_profile(
        user.local_id,
        user,
        grad_year=grad_year,
        schools=school_set(user.school),
        number=handle_key(user.number),
    )
