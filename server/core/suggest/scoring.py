"""Weigh the evidence that a Schoology user and a SIS user are one person.

Each field adds a weight in the manner of Fellegi-Sunter record linkage: the
natural log of how much likelier the observed agreement or disagreement is
for one person than for two. Agreement on a rare name weighs more than on a
common one, so name weights come from the pool's own name counts. A field
that either side leaves empty adds nothing. The fixed weights are estimates,
tuned on the perturbed district of ``benchmarks/suggest.py``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from ..model import Role
from .profile import Profile, nickname_link

# Mail services whose addresses are personal rather than issued by a district.
PERSONAL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com
    icloud.com me.com aol.com proton.me protonmail.com comcast.net gmx.com
    mail.com yandex.com""".split()
)

# Log odds that a Schoology user's person is in the pool at all, before any
# field is compared. The benchmark district has one user in eight without one.
MATCH_PRIOR = 1.5

# Bounds of the weight of an exact name agreement, whatever the name counts.
MIN_NAME_WEIGHT = 1.0
MAX_NAME_WEIGHT = 5.5

# How much weaker each kind of near agreement is than an exact one.
NICKNAME_DISCOUNT = 1.5
SHARED_NICKNAME_DISCOUNT = 2.5
MIDDLE_AS_FIRST_DISCOUNT = 2.5
SHORT_FORM_DISCOUNT = 2.0
FIRST_TYPO_DISCOUNT = 2.5
SURNAME_PART_DISCOUNT = 1.0
LAST_TYPO_DISCOUNT = 2.0
SOUND_ALIKE_DISCOUNT = 4.0
SWAP_DISCOUNT = 1.0

FIRST_DIFFERS = -3.0
LAST_DIFFERS = -3.0
FIRST_INITIAL_AGREES = 1.0
MIDDLE_INITIAL_AS_FIRST = 1.5
MIDDLE_AGREES = 2.0
MIDDLE_INITIAL_AGREES = 0.7
MIDDLE_DIFFERS = -2.0
HANDLE_AGREES = 9.0
MAILBOX_FITS_NAME = 3.0
MAILBOX_FITS_FIRST = 1.5
EMAIL_DIFFERS = -0.5
SCHOOL_AGREES = 1.8
SCHOOL_DIFFERS = -2.7
GRADE_AGREES = 2.3
GRADE_NEAR = 0.3
GRADE_DIFFERS = -3.5


class PoolStats:
    """Name counts of the SIS pool per role, which set the weight of agreement."""

    def __init__(self, pool: list[Profile]):
        self.sizes = Counter(profile.role for profile in pool)
        self.first = Counter((profile.role, profile.first) for profile in pool)
        self.last = Counter(
            (profile.role, part) for profile in pool for part in profile.last_parts
        )
        self.first_weights: dict[tuple[Role, str], float] = {}
        self.last_weights: dict[tuple[Role, str], float] = {}

    def name_weight(self, counts: Counter, role: Role, name: str) -> float:
        """Weigh agreement on a name by how few people of the role carry it."""
        count = max(counts[(role, name)], 1)
        weight = math.log(max(self.sizes[role], 1) / count)

        return min(max(weight, MIN_NAME_WEIGHT), MAX_NAME_WEIGHT)

    def first_weight(self, role: Role, name: str) -> float:
        weight = self.first_weights.get((role, name))
        if weight is None:
            weight = self.name_weight(self.first, role, name)
            self.first_weights[(role, name)] = weight

        return weight

    def last_weight(self, role: Role, name: str) -> float:
        weight = self.last_weights.get((role, name))
        if weight is None:
            weight = self.name_weight(self.last, role, name)
            self.last_weights[(role, name)] = weight

        return weight

    def no_match_weight(self, role: Role) -> float:
        """Weigh "none of the pool": a candidate needs this much to be as likely.

        Among N people of a role, one chosen at random is the person with odds
        of about 1 to N, so the weight grows with the log of the pool size.
        """
        return math.log(max(self.sizes[role], 1)) - MATCH_PRIOR


@dataclass(slots=True)
class Evidence:
    """The summed weight of a candidate and the phrases of its reason.

    ``agree`` names the fields that agree, ``notes`` the near agreements and
    ``differs`` the disagreements. ``married`` turns the agreement phrase
    into a married-name one. The reason text is built only for the few
    candidates that become suggestions.
    """

    agree: list[str]
    notes: list[str]
    differs: list[str]
    weight: float = 0.0
    married: bool = False

    def reason(self) -> str:
        """Join the phrases into a reason such as "last name and school agree"."""
        parts = []
        if self.agree:
            verb = "agrees" if len(self.agree) == 1 else "agree"
            agreed = f"{join_fields(self.agree)} {verb}"
            if self.married:
                agreed = f"married name: {agreed}, last name differs"
            parts.append(agreed)

        parts.extend(self.notes)
        parts.extend(self.differs)

        return "; ".join(parts)


def first_name_evidence(
    s: Profile, p: Profile, stats: PoolStats, evidence: Evidence
) -> str:
    """Weigh the first names; return the kind of agreement found."""
    if not s.first or not p.first:
        return "missing"

    if s.first == p.first:
        evidence.weight += stats.first_weight(p.role, p.first)
        evidence.agree.append("first name")
        return "agree"

    full = stats.first_weight(p.role, p.first)
    link, direct = nickname_link(s.first, p.first)
    if link:
        discount = NICKNAME_DISCOUNT if direct else SHARED_NICKNAME_DISCOUNT
        evidence.weight += full - discount
        evidence.notes.append(link)
        return "nickname"

    if len(p.middle) > 1 and s.first == p.middle:
        evidence.weight += (
            stats.first_weight(p.role, p.middle) - MIDDLE_AS_FIRST_DISCOUNT
        )
        evidence.notes.append(f"first name equals the SIS middle name {p.middle_shown}")
        return "middle"

    if len(s.middle) > 1 and p.first == s.middle:
        evidence.weight += full - MIDDLE_AS_FIRST_DISCOUNT
        evidence.notes.append(f"SIS first name equals the middle name {s.middle_shown}")
        return "middle"

    shorter, longer = sorted((s.first, p.first), key=len)
    if len(shorter) == 1 and longer.startswith(shorter):
        evidence.weight += FIRST_INITIAL_AGREES
        evidence.notes.append("first initial agrees")
        return "initial"

    if len(p.middle) == 1 and s.first[0] == p.middle:
        evidence.weight += MIDDLE_INITIAL_AS_FIRST
        evidence.notes.append(
            f"first initial equals the SIS middle initial {p.middle.upper()}"
        )
        return "middle"

    if len(shorter) >= 3 and OSA.distance(s.first, p.first) == 1:
        evidence.weight += full - FIRST_TYPO_DISCOUNT
        evidence.notes.append(
            f"first name differs by one letter ({s.first_shown}/{p.first_shown})"
        )
        return "typo"

    if len(shorter) >= 3 and longer.startswith(shorter):
        evidence.weight += full - SHORT_FORM_DISCOUNT
        short, long = (s, p) if len(s.first) < len(p.first) else (p, s)
        evidence.notes.append(f"{short.first_shown} is short for {long.first_shown}")
        return "short"

    evidence.weight += FIRST_DIFFERS
    evidence.differs.append("first name differs")

    return "differs"


def last_name_evidence(
    s: Profile, p: Profile, stats: PoolStats, evidence: Evidence
) -> str:
    """Weigh the last names; return the kind of agreement found."""
    if not s.last or not p.last:
        return "missing"

    if s.last == p.last:
        evidence.weight += stats.last_weight(p.role, p.last)
        evidence.agree.append("last name")
        return "agree"

    shared = s.last_parts & p.last_parts
    if shared:
        part = max(shared, key=len)
        evidence.weight += stats.last_weight(p.role, part) - SURNAME_PART_DISCOUNT
        evidence.notes.append(surname_part_note(s, p))
        return "part"

    full = stats.last_weight(p.role, p.last)
    if min(len(s.last), len(p.last)) >= 4 and OSA.distance(s.last, p.last) == 1:
        evidence.weight += full - LAST_TYPO_DISCOUNT
        evidence.notes.append(
            f"last name differs by one letter ({s.last_shown}/{p.last_shown})"
        )
        return "typo"

    if s.last_sound and s.last_sound == p.last_sound:
        evidence.weight += max(full - SOUND_ALIKE_DISCOUNT, 0.0)
        evidence.notes.append(f"last names sound alike ({s.last_shown}/{p.last_shown})")
        return "sound"

    evidence.weight += LAST_DIFFERS

    return "differs"


def surname_part_note(s: Profile, p: Profile) -> str:
    """Say which surname is the longer one that contains the other."""
    if len(p.last) > len(s.last):
        longer, shorter, side = p.last_shown, s.last_shown, ""
    else:
        longer, shorter, side = s.last_shown, p.last_shown, "Schoology "

    kind = "hyphenated " if "-" in longer else "multi-part "

    return f"{kind}{side}last name {longer} contains {shorter}"


def swapped_evidence(s: Profile, p: Profile, stats: PoolStats, evidence: Evidence):
    """Weigh a first and last name that were entered the other way round."""
    evidence.weight += (
        stats.first_weight(p.role, p.first)
        + stats.last_weight(p.role, p.last)
        - SWAP_DISCOUNT
    )
    evidence.notes.append("first and last names swapped")


def middle_name_evidence(s: Profile, p: Profile, evidence: Evidence) -> None:
    """Weigh middle names when both sides have one."""
    if not s.middle_initials or not p.middle_initials:
        return

    if s.middle == p.middle and len(s.middle) > 1:
        evidence.weight += MIDDLE_AGREES
        evidence.agree.append("middle name")
    elif s.middle_initials[0] == p.middle_initials[0]:
        evidence.weight += MIDDLE_INITIAL_AGREES
    else:
        evidence.weight += MIDDLE_DIFFERS
        evidence.differs.append("middle name differs")


def handle_evidence(
    s: Profile, p: Profile, evidence: Evidence, first_agrees: bool, last_differs: bool
) -> bool:
    """Weigh email local parts, usernames and numbers; return True on agreement.

    A district issues each address and username once, so agreement on one is
    nearly as strong as a shared ID. An address built from the other side's
    name counts fully when the last names differ and a little when only the
    first names differ, since otherwise it repeats what the names show.
    """
    if s.email_local and s.email_local == p.email_local:
        evidence.weight += HANDLE_AGREES
        evidence.agree.append("email local part")
        return True

    if s.username and s.username == p.username:
        evidence.weight += HANDLE_AGREES
        evidence.agree.append("username")
        return True

    shared = s.handles & p.handles
    if shared:
        evidence.weight += HANDLE_AGREES
        if p.number and p.number in shared:
            evidence.notes.append("the SIS number equals the Schoology username")
        else:
            evidence.notes.append("username equals the other side's email local part")
        return True

    fits = s.mailbox in p.name_forms or p.mailbox in s.name_forms
    if fits and (last_differs or not first_agrees):
        evidence.weight += MAILBOX_FITS_NAME if last_differs else MAILBOX_FITS_FIRST
        owner = "Schoology" if s.mailbox in p.name_forms else "SIS"
        other = "SIS" if owner == "Schoology" else "Schoology"
        evidence.notes.append(f"{owner} email local part fits the {other} name")
        return False

    if s.email_domain in PERSONAL_DOMAINS and p.email_domain:
        evidence.notes.append(f"Schoology email is a personal {s.email_domain} address")
    elif s.email_local and s.email_domain == p.email_domain:
        evidence.weight += EMAIL_DIFFERS
        evidence.differs.append("email differs")

    return False


@cache
def schools_agree(schoology: frozenset[str], sis: frozenset[str]) -> bool:
    """Tell whether any school on one side is the same school on the other."""
    if schoology & sis:
        return True

    return any(fuzz.token_set_ratio(a, b) >= 90 for a in schoology for b in sis)


def school_evidence(s: Profile, p: Profile, evidence: Evidence) -> None:
    """Weigh the schools when both sides name one."""
    if not s.schools or not p.schools:
        return

    if schools_agree(s.schools, p.schools):
        evidence.weight += SCHOOL_AGREES
        evidence.agree.append("school")
    else:
        evidence.weight += SCHOOL_DIFFERS
        evidence.differs.append("school differs")


def grade_evidence(s: Profile, p: Profile, evidence: Evidence) -> None:
    """Weigh a student's grad year against the SIS grade, tolerant by one year."""
    if s.grad_year is None or p.grad_year is None:
        return

    gap = abs(s.grad_year - p.grad_year)
    if gap == 0:
        evidence.weight += GRADE_AGREES
        evidence.agree.append("grade")
    elif gap == 1:
        evidence.weight += GRADE_NEAR
        evidence.notes.append("grad year is one year off the SIS grade")
    else:
        evidence.weight += GRADE_DIFFERS
        evidence.differs.append(f"grad year is {gap} years off the SIS grade")


def join_fields(fields: list[str]) -> str:
    """Join field names as in "first name, school and grade"."""
    if len(fields) == 1:
        return fields[0]

    return ", ".join(fields[:-1]) + " and " + fields[-1]


def compare(s: Profile, p: Profile, stats: PoolStats) -> Evidence:
    """Weigh every field that both users have and name the signals that counted."""
    evidence = Evidence(agree=[], notes=[], differs=[])
    if s.first and s.last and s.first == p.last and s.last == p.first != s.first:
        swapped_evidence(s, p, stats, evidence)
        first = last = "swapped"
    else:
        first = first_name_evidence(s, p, stats, evidence)
        last = last_name_evidence(s, p, stats, evidence)
        if first != "middle":
            middle_name_evidence(s, p, evidence)

    handles = handle_evidence(
        s, p, evidence, first_agrees=first == "agree", last_differs=last == "differs"
    )
    school_evidence(s, p, evidence)
    grade_evidence(s, p, evidence)

    # A changed surname with the first name and the address kept is the usual
    # trace of a marriage, so the reason names it instead of only "differs".
    evidence.married = last == "differs" and first in ("agree", "nickname") and handles
    if last == "differs" and not evidence.married:
        evidence.differs.insert(0, "last name differs")

    return evidence


def to_scores(weights: list[float], no_match_weight: float) -> list[int]:
    """Turn the weights of one user's candidates into scores from 0 to 100.

    A score is the candidate's share of the odds among all candidates and
    "none of the pool", so two equally good candidates both score below 50
    and a lone strong one scores near 100. Scores are rounded down and held
    at 99, since a suggestion is never certain.
    """
    if not weights:
        return []

    top = max(max(weights), no_match_weight)
    odds = [math.exp(weight - top) for weight in weights]
    total = sum(odds) + math.exp(no_match_weight - top)

    return [min(99, int(100 * value / total)) for value in odds]
