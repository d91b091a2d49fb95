"""Find the few SIS users worth scoring for a Schoology user, without comparing all.

Each profile emits blocking keys: strings that two records of one person
are likely to share even when a field was changed. A SIS user becomes a
candidate when it shares a key with the Schoology user. Each key kind has a
weight, and the candidates with the highest summed weight go on to scoring.
Keys start with the role prefix, so a candidate always has the same role.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator

from .profile import Profile

# A key shared by more SIS users than this distinguishes them too little to
# help, so it is skipped. A rarer key of another kind still finds the person.
MAX_BLOCK_SIZE = 64

# The weight that an exact school, and a grad year within one, add to a
# candidate's key weight.
CONTEXT_WEIGHT = 3

# How many candidates per Schoology user go on to full scoring.
MAX_CANDIDATES = 12

# A candidate that shares only the weakest keys, the surname with the school
# or with the grad year, is rarely the person and costs a full comparison.
MIN_KEY_WEIGHT = 3

# Weights reflect how strongly sharing a key of that kind suggests one person.
KEY_WEIGHTS = {
    "handle": 20,
    "name": 10,
    "swap": 10,
    "last_typo": 6,
    "first_middle": 4,
    "initial": 3,
    "first_school": 3,
    "initial_school": 3,
    "last_school": 2,
    "last_grade": 2,
    "last_school_grade": 4,
    "mailbox": 6,
}


def deletions(word: str) -> set[str]:
    """Return the word with each single letter removed, and the word itself.

    Two words within one edit (a substitution, insertion, deletion or
    transposition) always share one of these forms.
    """
    forms = {word}
    if len(word) >= 4:
        forms.update(word[:i] + word[i + 1 :] for i in range(len(word)))

    return forms


def blocking_keys(profile: Profile) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, key)`` pairs for a profile, the role prefix included."""
    role = profile.role.prefix
    given_names = set(profile.first_names)
    initials = {profile.first[:1]} | set(profile.middle_initials)
    if len(profile.middle) > 1:
        # Either side may file the middle name as the first name.
        given_names.add(profile.middle)

    given_names.discard("")
    initials.discard("")
    for last in profile.last_parts:
        for name in given_names:
            yield "name", f"{role}n|{name}|{last}"

        for initial in initials:
            yield "initial", f"{role}i|{initial}|{last}"

    if profile.first and profile.last:
        pair = "|".join(sorted((profile.first, profile.last)))
        yield "swap", f"{role}w|{pair}"
        for form in deletions(profile.last):
            yield "last_typo", f"{role}d|{profile.first}|{form}"

    for handle in profile.handles:
        yield "handle", f"{role}h|{handle}"

    for school in profile.schools:
        for name in given_names:
            yield "first_school", f"{role}s|{name}|{school}"

        for last in profile.last_parts:
            yield "last_school", f"{role}ls|{last}|{school}"
            for initial in initials:
                yield "initial_school", f"{role}is|{initial}|{last}|{school}"

    if profile.grad_year is not None:
        for last in profile.last_parts:
            yield "last_grade", f"{role}lg|{last}|{profile.grad_year}"
            for school in profile.schools:
                yield (
                    "last_school_grade",
                    f"{role}g|{last}|{school}|{profile.grad_year}",
                )

    # An address built from the name, such as "mhoffman5" for Michael
    # Hoffman, still names the person after the name field has changed.
    if profile.mailbox:
        yield "mailbox", f"{role}e|{profile.mailbox}"

    for form in profile.name_forms:
        yield "mailbox", f"{role}e|{form}"

    if len(profile.middle) > 1 and profile.first:
        yield "first_middle", f"{role}m|{profile.first}|{profile.middle}"


def _rank_key(item: tuple[int, int]) -> tuple[int, int]:
    position, weight = item
    return weight, -position


class BlockIndex:
    """The SIS pool's blocking keys, each mapped to the pool positions that hold it."""

    def __init__(self, pool: list[Profile]):
        blocks: dict[str, list[int]] = defaultdict(list)
        for position, profile in enumerate(pool):
            for _kind, key in set(blocking_keys(profile)):
                blocks[key].append(position)

        self.blocks = dict(blocks)
        self.size = len(pool)
        self.schools = [profile.schools for profile in pool]
        self.grad_years = [profile.grad_year for profile in pool]

    def candidates(self, profile: Profile, limit: int = MAX_CANDIDATES) -> list[int]:
        """Return the pool positions with the highest summed key weight, best first.

        Each kind of key counts once per candidate, so a candidate that shares
        five name keys built from one name is not ranked above one that
        shares a name key and an email key.
        """
        hits: dict[str, set[int]] = defaultdict(set)
        for kind, key in set(blocking_keys(profile)):
            block = self.blocks.get(key)
            if block is not None and len(block) <= MAX_BLOCK_SIZE:
                hits[kind].update(block)

        weights: dict[int, int] = defaultdict(int)
        for kind, positions in hits.items():
            weight = KEY_WEIGHTS[kind]
            for position in positions:
                weights[position] += weight

        # Siblings and namesakes share name keys, so the school and the grad
        # year, checked cheaply here, decide which of them go on to scoring.
        schools = profile.schools
        grad_year = profile.grad_year
        for position in weights:
            if schools and not schools.isdisjoint(self.schools[position]):
                weights[position] += CONTEXT_WEIGHT

            other = self.grad_years[position]
            if grad_year is not None and other is not None:
                if abs(grad_year - other) <= 1:
                    weights[position] += CONTEXT_WEIGHT

        # Ties go to the earlier pool position, so runs are repeatable.
        best = heapq.nlargest(limit, weights.items(), key=_rank_key)
        best = [item for item in best if item[1] >= MIN_KEY_WEIGHT]

        return [position for position, _weight in best]
