"""Weigh the evidence that a Schoology user and a SIS user are one person.

Each field adds a weight, in the manner of Fellegi-Sunter record linkage: a
positive weight for agreement, a negative one for disagreement, nothing when
either side is empty. The weights are log-odds estimates, tuned on the
perturbed district of ``benchmarks/suggest.py``. ``to_scores`` turns the
weights of one user's candidates into scores from 0 to 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from .profile import Profile, nickname_link

# Mail services whose addresses are personal rather than issued by a district.
PERSONAL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com
    icloud.com me.com aol.com proton.me protonmail.com comcast.net gmx.com
    mail.com yandex.com""".split()
)

# The weight of "this user's person is not in the pool". A candidate needs
# about this much evidence to be as likely as no match at all.
NO_MATCH_WEIGHT = 8.0


@dataclass(slots=True)
class Evidence:
    """The summed weight of a candidate and the reason that names its signals."""

    weight: float
    reason: str


@dataclass(slots=True)
class _Signals:
    """What agreed, what was close and what differed, for building a reason."""

    agree: list[str]
    notes: list[str]
    differs: list[str]
    weight: float = 0.0


def first_name_evidence(s: Profile, p: Profile, signals: _Signals) -> str:
    """Weigh the first names; return the kind of agreement found."""
    if not s.first or not p.first:
        return "missing"

    if s.first == p.first:
        signals.weight += 4.0
        signals.agree.append("first name")
        return "agree"

    link = nickname_link(s.first, p.first)
    if link:
        signals.weight += 3.0
        signals.notes.append(link)
        return "nickname"

    if len(p.middle) > 1 and s.first == p.middle:
        signals.weight += 3.0
        signals.notes.append(f"first name equals the SIS middle name {p.middle_shown}")
        return "middle"

    if len(s.middle) > 1 and p.first == s.middle:
        signals.weight += 3.0
        signals.notes.append(f"SIS first name equals the middle name {s.middle_shown}")
        return "middle"

    shorter, longer = sorted((s.first, p.first), key=len)
    if len(shorter) == 1 and longer.startswith(shorter):
        signals.weight += 1.0
        signals.notes.append("first initial agrees")
        return "initial"

    if len(p.middle) == 1 and s.first[0] == p.middle:
        signals.weight += 1.5
        signals.notes.append(
            f"first initial equals the SIS middle initial {p.middle.upper()}"
        )
        return "middle"

    if len(shorter) >= 3 and OSA.distance(s.first, p.first) == 1:
        signals.weight += 2.5
        signals.notes.append(
            f"first name differs by one letter ({s.first_shown}/{p.first_shown})"
        )
        return "typo"

    if len(shorter) >= 3 and longer.startswith(shorter):
        signals.weight += 2.5
        signals.notes.append(
            f"{_shorter_shown(s, p)} is short for {_longer_shown(s, p)}"
        )
        return "short"

    signals.weight -= 3.0
    signals.differs.append("first name differs")

    return "differs"


def _shorter_shown(s: Profile, p: Profile) -> str:
    return s.first_shown if len(s.first) < len(p.first) else p.first_shown


def _longer_shown(s: Profile, p: Profile) -> str:
    return p.first_shown if len(s.first) < len(p.first) else s.first_shown


def last_name_evidence(s: Profile, p: Profile, signals: _Signals) -> str:
    """Weigh the last names; return the kind of agreement found."""
    if not s.last or not p.last:
        return "missing"

    if s.last == p.last:
        signals.weight += 4.0
        signals.agree.append("last name")
        return "agree"

    if s.last_parts & p.last_parts:
        signals.weight += 3.0
        signals.notes.append(_surname_part_note(s, p))
        return "part"

    if min(len(s.last), len(p.last)) >= 4 and OSA.distance(s.last, p.last) == 1:
        signals.weight += 2.5
        signals.notes.append(
            f"last name differs by one letter ({s.last_shown}/{p.last_shown})"
        )
        return "typo"

    if s.last_sound and s.last_sound == p.last_sound:
        signals.weight += 1.5
        signals.notes.append(f"last names sound alike ({s.last_shown}/{p.last_shown})")
        return "sound"

    signals.weight -= 4.0

    return "differs"


def _surname_part_note(s: Profile, p: Profile) -> str:
    """Say which surname is the longer one that contains the other."""
    if len(p.last) > len(s.last):
        longer, shorter, side = p.last_shown, s.last_shown, ""
    else:
        longer, shorter, side = s.last_shown, p.last_shown, "Schoology "

    kind = "hyphenated " if "-" in longer else "multi-part "

    return f"{kind}{side}last name {longer} contains {shorter}"


def middle_name_evidence(s: Profile, p: Profile, signals: _Signals) -> None:
    """Weigh middle names when both sides have one."""
    if not s.middle_initials or not p.middle_initials:
        return

    if s.middle == p.middle and len(s.middle) > 1:
        signals.weight += 1.0
        signals.agree.append("middle name")
    elif s.middle_initials[0] == p.middle_initials[0]:
        signals.weight += 0.5
    else:
        signals.weight -= 1.5
        signals.differs.append("middle name differs")


def handle_evidence(s: Profile, p: Profile, signals: _Signals) -> bool:
    """Weigh email local parts, usernames and numbers; return True on agreement."""
    if s.email_local and s.email_local == p.email_local:
        signals.weight += 6.0
        signals.agree.append("email local part")
        return True

    if s.username and s.username == p.username:
        signals.weight += 5.0
        signals.agree.append("username")
        return True

    shared = s.handles & p.handles
    if shared:
        signals.weight += 5.0
        if p.number and p.number in shared:
            signals.notes.append("the SIS number equals the Schoology username")
        else:
            signals.notes.append("username equals the other side's email local part")
        return True

    if s.email_domain in PERSONAL_DOMAINS and p.email_domain:
        signals.notes.append(f"Schoology email is a personal {s.email_domain} address")
    elif s.email_local and s.email_domain == p.email_domain:
        signals.weight -= 1.0
        signals.differs.append("email differs")

    return False


@cache
def schools_agree(schoology: frozenset[str], sis: frozenset[str]) -> bool:
    """Tell whether any school on one side is the same school on the other."""
    if schoology & sis:
        return True

    return any(fuzz.token_set_ratio(a, b) >= 90 for a in schoology for b in sis)


def school_evidence(s: Profile, p: Profile, signals: _Signals) -> None:
    """Weigh the schools when both sides name one."""
    if not s.schools or not p.schools:
        return

    if schools_agree(s.schools, p.schools):
        signals.weight += 1.5
        signals.agree.append("school")
    else:
        signals.weight -= 1.5
        signals.differs.append("school differs")


def grade_evidence(s: Profile, p: Profile, signals: _Signals) -> None:
    """Weigh a student's grad year against the SIS grade, tolerant by one year."""
    if s.grad_year is None or p.grad_year is None:
        return

    gap = abs(s.grad_year - p.grad_year)
    if gap == 0:
        signals.weight += 2.0
        signals.agree.append("grade")
    elif gap == 1:
        signals.weight += 1.0
        signals.notes.append("grad year is one year off the SIS grade")
    else:
        signals.weight -= 3.0
        signals.differs.append(f"grad year is {gap} years off the SIS grade")


def _join_fields(fields: list[str]) -> str:
    if len(fields) == 1:
        return fields[0]

    return ", ".join(fields[:-1]) + " and " + fields[-1]


def compare(s: Profile, p: Profile) -> Evidence:
    """Weigh every field that both users have and say which signals counted."""
    signals = _Signals(agree=[], notes=[], differs=[])
    if s.first and s.last and s.first == p.last and s.last == p.first != s.first:
        signals.weight += 7.0
        signals.notes.append("first and last names swapped")
        first = last = "swapped"
    else:
        first = first_name_evidence(s, p, signals)
        last = last_name_evidence(s, p, signals)
        if first != "middle":
            middle_name_evidence(s, p, signals)

    handles = handle_evidence(s, p, signals)
    school_evidence(s, p, signals)
    grade_evidence(s, p, signals)
    married = last == "differs" and first in ("agree", "nickname") and handles
    if last == "differs" and not married:
        signals.differs.insert(0, "last name differs")

    parts = []
    if signals.agree:
        verb = "agrees" if len(signals.agree) == 1 else "agree"
        agreed = f"{_join_fields(signals.agree)} {verb}"
        parts.append(
            f"married name: {agreed}, last name differs" if married else agreed
        )

    parts.extend(signals.notes)
    parts.extend(signals.differs)

    return Evidence(signals.weight, "; ".join(parts))


def to_scores(weights: list[float]) -> list[int]:
    """Turn the weights of one user's candidates into scores from 0 to 100.

    A score is the candidate's share of the odds among all candidates and
    "no match in the pool", so two equally good candidates both score below
    50 and a lone strong one scores near 100. Scores are rounded down, so 100
    never appears.
    """
    if not weights:
        return []

    top = max(max(weights), NO_MATCH_WEIGHT)
    odds = [math.exp(weight - top) for weight in weights]
    total = sum(odds) + math.exp(NO_MATCH_WEIGHT - top)

    return [min(99, int(100 * value / total)) for value in odds]
