"""Find the few SIS users worth scoring for a Schoology user, without comparing all.

Each profile emits blocking keys: strings that two records of one person
are likely to share even when a field was changed. A SIS user becomes a
candidate when it shares a key with the Schoology user. Each key kind has a
weight, and the candidates with the highest summed weight go on to scoring.
Keys start with the role prefix, so a candidate always has the same role.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
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
    """The SIS pool's blocking keys, each mapped to the pool positions that hold it.

    A district's pool emits tens of keys per person, nearly all held by one
    person. A dict of them took about 90 bytes a key, as tracemalloc
    measured it. Instead each (key, position) pair is packed into one 64-bit
    entry, the key's ``hash()`` in the high bits and the position in the low
    bits, and the entries are sorted in an array of 8 bytes each. A directory
    indexed by the top bits of the hash gives the slice of the array to search.

    Two keys whose hashes agree in those bits merge their blocks. That adds
    candidates that scoring then weighs, or, in the rare case that the merged
    block grows past ``MAX_BLOCK_SIZE``, drops that block as if its key were
    common.
    """

    def __init__(self, pool: list[Profile]):
        self.size = len(pool)
        self.schools = [profile.schools for profile in pool]
        self.grad_years = [profile.grad_year for profile in pool]
        self.position_bits = max(1, (len(pool) - 1).bit_length())
        self.position_mask = (1 << self.position_bits) - 1
        self.code_bits = 63 - self.position_bits
        self.code_mask = (1 << self.code_bits) - 1

        unsorted = array("q")
        for position, profile in enumerate(pool):
            for _kind, key in set(blocking_keys(profile)):
                code = hash(key) & self.code_mask
                unsorted.append(code << self.position_bits | position)

        directory_bits = min(20, max(1, len(unsorted).bit_length() - 4))
        # The bucket of an entry is the top directory_bits of its code.
        self.bucket_shift = self.code_bits - directory_bits
        self.entries, self.starts = self._sort(unsorted, 1 << directory_bits)

    def _sort(self, unsorted: array, buckets: int) -> tuple[array, array]:
        """Sort the entries by bucket with a counting sort, then within each bucket.

        Sorting bucket by bucket keeps the transient memory to a second array,
        where ``sorted()`` on the whole would make a Python int of each entry.
        """
        shift = self.bucket_shift + self.position_bits
        counts = array("q", bytes(8 * (buckets + 1)))
        for entry in unsorted:
            counts[(entry >> shift) + 1] += 1

        starts = array("q", counts)
        for bucket in range(buckets):
            starts[bucket + 1] += starts[bucket]

        entries = array("q", bytes(8 * len(unsorted)))
        fill = array("q", starts)
        for entry in unsorted:
            bucket = entry >> shift
            entries[fill[bucket]] = entry
            fill[bucket] += 1

        for bucket in range(buckets):
            low, high = starts[bucket], starts[bucket + 1]
            if high - low > 1:
                entries[low:high] = array("q", sorted(entries[low:high]))

        return entries, starts

    def block(self, key: str) -> list[int]:
        """Return the pool positions that hold ``key``, or an empty list.

        A block of more than ``MAX_BLOCK_SIZE`` positions is returned empty too,
        since so common a key distinguishes the candidates too little.
        """
        code = hash(key) & self.code_mask
        bucket = code >> self.bucket_shift
        low, high = self.starts[bucket], self.starts[bucket + 1]
        if low == high:
            return []

        # Most keys of a Schoology user match no entry in the pool, so a miss
        # returns after one search.
        shift = self.position_bits
        entries = self.entries
        start = bisect_left(entries, code << shift, low, high)
        if start == high or entries[start] >> shift != code:
            return []

        stop = bisect_left(entries, (code + 1) << shift, start + 1, high)
        if stop - start > MAX_BLOCK_SIZE:
            return []

        mask = self.position_mask
        return [entry & mask for entry in entries[start:stop]]

    def candidates(self, profile: Profile, limit: int = MAX_CANDIDATES) -> list[int]:
        """Return the pool positions with the highest summed key weight, best first.

        Each kind of key counts once per candidate, so a candidate that shares
        five name keys built from one name is not ranked above one that
        shares a name key and an email key.
        """
        hits: dict[str, set[int]] = defaultdict(set)
        for kind, key in set(blocking_keys(profile)):
            hits[kind].update(self.block(key))

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
