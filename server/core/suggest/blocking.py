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
from operator import itemgetter

import jellyfish

from .profile import Profile

# A key shared by more SIS users than this tells them apart too little to
# help, so it is skipped; a rarer key of another kind still finds the person.
MAX_BLOCK_SIZE = 64

# How many candidates per Schoology user go on to full scoring.
MAX_CANDIDATES = 10

# Weights reflect how strongly sharing a key of that kind suggests one person.
KEY_WEIGHTS = {
    "name": 10,
    "swap": 10,
    "handle": 12,
    "initial": 4,
    "last_typo": 5,
    "first_typo": 5,
    "sound": 4,
    "first_school": 3,
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
    given = set(profile.first_names)
    initials = {profile.first[:1]} | set(profile.middle_initials)
    if len(profile.middle) > 1:
        # Either side may file the middle name as the first name.
        given.add(profile.middle)

    given.discard("")
    initials.discard("")
    for last in profile.last_parts:
        for name in given:
            yield "name", f"{role}n|{name}|{last}"

        for initial in initials:
            yield "initial", f"{role}i|{initial}|{last}"

    if profile.first and profile.last:
        pair = "|".join(sorted((profile.first, profile.last)))
        yield "swap", f"{role}w|{pair}"
        sound = jellyfish.metaphone(profile.first) + "|" + profile.last_sound
        yield "sound", f"{role}p|{sound}"
        for form in deletions(profile.last):
            yield "last_typo", f"{role}d|{profile.first}|{form}"

        for form in deletions(profile.first):
            yield "first_typo", f"{role}f|{form}|{profile.last}"

    for handle in profile.handles:
        yield "handle", f"{role}h|{handle}"

    for school in profile.schools:
        for name in given:
            yield "first_school", f"{role}s|{name}|{school}"


class BlockIndex:
    """The SIS pool's blocking keys, each mapped to the pool positions that hold it."""

    def __init__(self, pool: list[Profile]):
        blocks: dict[str, list[int]] = defaultdict(list)
        for position, profile in enumerate(pool):
            for _kind, key in set(blocking_keys(profile)):
                blocks[key].append(position)

        self.blocks = dict(blocks)
        self.size = len(pool)

    def candidates(self, profile: Profile, limit: int = MAX_CANDIDATES) -> list[int]:
        """Return the pool positions that share the most weighted keys, best first."""
        weights: dict[int, int] = {}
        for kind, key in set(blocking_keys(profile)):
            block = self.blocks.get(key)
            if block is None or len(block) > MAX_BLOCK_SIZE:
                continue

            weight = KEY_WEIGHTS[kind]
            for position in block:
                weights[position] = weights.get(position, 0) + weight

        best = heapq.nlargest(limit, weights.items(), key=itemgetter(1))

        return [position for position, _weight in best]
