"""Suggest SIS users for the Schoology users that no mapping option matched.

The pool is the SIS users of scenario 3 rows: a SIS user that a scenario 1
row links already is never suggested. Each scenario 2 row gets up to three
suggestions, best first, each with a score from 0 to 100 and a reason in
words. A score of 90 or more means the suggestion is almost surely right: on
the perturbed district of ``benchmarks/suggest.py``, 99.5% of them are.
"""

from __future__ import annotations

import logging
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..layout import ReportRow, Suggestion
from ..model import SchoologyUser, SisUser
from ..readers.source import gc_paused
from .accept import accept_suggestions
from .blocking import BlockIndex
from .profile import Profile, current_school_year_end, schoology_profile, sis_profile
from .scoring import Evidence, PoolStats, compare, to_scores

__all__ = [
    "SuggestionStats",
    "accept_suggestions",
    "add_suggestions",
    "suggest",
]

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
# Candidates below this score are noise rather than help, so they are dropped.
MIN_SCORE = 5
STRONG_SCORE = 90
# A shared top suggestion keeps a score of 90 or more only on the row that
# leads every other row sharing it by this many points.
SHARED_LEAD = 10
# How much more weight, in natural log odds, one row needs over the others to
# claim a SIS user that they all suggest at 90 or more: 20 times the odds.
CLAIM_MARGIN = 3.0
# How many other Schoology users a shared-suggestion warning names.
SHARED_NAMED = 3


@dataclass(slots=True)
class SuggestionStats:
    """Counts from one run of ``add_suggestions``.

    ``strong`` counts rows whose top suggestion scores 90 or more. ``shared``
    counts rows whose top suggestion is also the top one of another row.
    """

    unmatched: int = 0
    pool: int = 0
    suggested: int = 0
    strong: int = 0
    shared: int = 0


@dataclass(slots=True)
class Found:
    """One Schoology user's candidates as pool positions and weights.

    Arrays keep this small, because every unmatched user has one until the
    claims are known. The evidence behind a weight is not kept: ranking
    takes the reasons of the first ranking, or compares the pair again.
    """

    user: SchoologyUser
    no_match_weight: float
    positions: array
    weights: array


def rank(
    positions: Sequence[int],
    weights: Sequence[float],
    no_match_weight: float,
    keys: list[str],
    reason: Callable[[int], str],
) -> list[Suggestion]:
    """Score one Schoology user's candidates and keep the best three.

    ``keys`` gives the local ID at each pool position, and ``reason(i)`` the
    reason for the i-th candidate, built only for those that are kept.
    """
    scores = to_scores(list(weights), no_match_weight)
    order = sorted(
        range(len(positions)), key=lambda i: (-scores[i], keys[positions[i]])
    )
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for i in order:
        if scores[i] < MIN_SCORE:
            break

        local_id = keys[positions[i]]
        if local_id in seen:
            continue

        seen.add(local_id)
        # Reasons repeat from row to row, so rows share one string each.
        suggestions.append(Suggestion(local_id, scores[i], sys.intern(reason(i))))
        if len(suggestions) == MAX_SUGGESTIONS:
            break

    return suggestions


def reasons_from(evidence: list[Evidence]) -> Callable[[int], str]:
    """Return the reason function of ``rank`` for candidates with their evidence."""
    return lambda i: evidence[i].reason()


def strong_claims(
    results: dict[str, list[Suggestion]], found: dict[str, Found], keys: list[str]
) -> dict[str, str]:
    """Map SIS users to the one row that claims each of them beyond doubt.

    A row claims its top suggestion when it scores 90 or more and no other
    row has the same top suggestion at 90 or more, or when its weight leads
    every other such row's by ``CLAIM_MARGIN``.
    """
    claimants: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for schoology_id, suggestions in results.items():
        if suggestions and suggestions[0].score >= STRONG_SCORE:
            top = suggestions[0].local_id
            entry = found[schoology_id]
            weight = max(
                weight
                for position, weight in zip(entry.positions, entry.weights, strict=True)
                if keys[position] == top
            )
            claimants[top].append((weight, schoology_id))

    claims = {}
    for local_id, rows in claimants.items():
        rows.sort(reverse=True)
        if len(rows) == 1 or rows[0][0] - rows[1][0] >= CLAIM_MARGIN:
            claims[local_id] = rows[0][1]

    return claims


def mark_shared(results: dict[str, list[Suggestion]]) -> None:
    """Warn on every row whose top suggestion is another row's top one too.

    Only one person can be that SIS user, so every row that shares it except a
    clear leader is held below a score of 90.
    """
    holders: dict[str, list[str]] = defaultdict(list)
    for schoology_id, suggestions in results.items():
        if suggestions:
            holders[suggestions[0].local_id].append(schoology_id)

    for schoology_ids in holders.values():
        if len(schoology_ids) < 2:
            continue

        tops = sorted(
            ((results[sid][0].score, sid) for sid in schoology_ids), reverse=True
        )
        leader = tops[0][1] if tops[0][0] - tops[1][0] >= SHARED_LEAD else None
        for schoology_id in schoology_ids:
            top = results[schoology_id][0]
            others = [sid for sid in schoology_ids if sid != schoology_id]
            top.reason = f"{top.reason}; {shared_warning(others)}"
            if schoology_id != leader:
                top.score = min(top.score, STRONG_SCORE - 1)


def shared_warning(others: list[str]) -> str:
    """Name the other Schoology users that share a top suggestion."""
    named = ", ".join(others[:SHARED_NAMED])
    rest = len(others) - SHARED_NAMED
    noun = "user" if len(others) == 1 else "users"
    if rest > 0:
        return f"also suggested for Schoology {noun} {named} and {rest} more"

    return f"also suggested for Schoology {noun} {named}"


def suggest(
    schoology_users: Iterable[SchoologyUser],
    sis_pool: Iterable[SisUser],
    *,
    school_year_end: int | None = None,
) -> dict[str, list[Suggestion]]:
    """Propose up to three SIS users from the pool for each Schoology user.

    Returns the suggestions by Schoology User ID, best first; a user with no
    plausible candidate maps to an empty list. ``school_year_end`` relates SIS
    grades to grad years and defaults to the current school year.

    A SIS user that one row claims with a score of 90 or more is dropped from
    the other rows' candidates, since one person has one Schoology account,
    and those rows are ranked again without it.
    """
    # Suggestions allocate hundreds of thousands of objects without cycles.
    with gc_paused():
        return _suggest(schoology_users, sis_pool, school_year_end)


def _suggest(
    schoology_users: Iterable[SchoologyUser],
    sis_pool: Iterable[SisUser],
    school_year_end: int | None,
) -> dict[str, list[Suggestion]]:
    end = school_year_end or current_school_year_end()
    pool = [sis_profile(user, end) for user in sis_pool]
    keys = [profile.key for profile in pool]
    index = BlockIndex(pool)
    stats = PoolStats(pool)
    found: dict[str, Found] = {}
    results: dict[str, list[Suggestion]] = {}
    for user in schoology_users:
        profile = schoology_profile(user)
        positions = index.candidates(profile)
        evidence = [compare(profile, pool[position], stats) for position in positions]
        weights = [item.weight for item in evidence]
        no_match = stats.no_match_weight(user.role)
        results[user.schoology_id] = rank(
            positions, weights, no_match, keys, reasons_from(evidence)
        )
        found[user.schoology_id] = Found(
            user, no_match, array("l", positions), array("d", weights)
        )

    claims = strong_claims(results, found, keys)
    for schoology_id, entry in found.items():
        kept = [
            i
            for i, position in enumerate(entry.positions)
            if claims.get(keys[position], schoology_id) == schoology_id
        ]
        if len(kept) < len(entry.positions):
            results[schoology_id] = rerank(
                entry, kept, results[schoology_id], pool, keys, stats
            )

    mark_shared(results)

    return results


def rerank(
    entry: Found,
    kept: list[int],
    first: list[Suggestion],
    pool: list[Profile],
    keys: list[str],
    stats: PoolStats,
) -> list[Suggestion]:
    """Rank a user's candidates again without those that other rows claim.

    A candidate keeps the reason of the first ranking. One that was not
    suggested then is compared again, since its evidence was not kept.
    """
    positions = [entry.positions[i] for i in kept]
    weights = [entry.weights[i] for i in kept]
    reasons = {suggestion.local_id: suggestion.reason for suggestion in first}
    profile = None

    def reason(i: int) -> str:
        nonlocal profile
        known = reasons.get(keys[positions[i]])
        if known is not None:
            return known

        profile = profile or schoology_profile(entry.user)
        return compare(profile, pool[positions[i]], stats).reason()

    return rank(positions, weights, entry.no_match_weight, keys, reason)


def add_suggestions(
    rows: list[ReportRow], *, school_year_end: int | None = None
) -> SuggestionStats:
    """Fill ``suggestions`` on every scenario 2 row from the scenario 3 SIS users."""
    linked = {row.sis.local_id for row in rows if row.scenario == 1 and row.sis}
    linked.update(row.mapping_id for row in rows if row.scenario == 1)
    pool = [
        row.sis
        for row in rows
        if row.scenario == 3 and row.sis and row.sis.local_id not in linked
    ]
    unmatched = [row for row in rows if row.scenario == 2 and row.schoology]
    results = suggest(
        [row.schoology for row in unmatched], pool, school_year_end=school_year_end
    )

    stats = SuggestionStats(unmatched=len(unmatched), pool=len(pool))
    tops: dict[str, int] = defaultdict(int)
    for row in unmatched:
        row.suggestions = results[row.schoology.schoology_id]
        if row.suggestions:
            stats.suggested += 1
            stats.strong += row.suggestions[0].score >= STRONG_SCORE
            tops[row.suggestions[0].local_id] += 1

    stats.shared = sum(count for count in tops.values() if count > 1)
    logger.info(
        "suggested matches for %d of %d unmatched rows from a pool of %d "
        "(%d strong, %d shared)",
        stats.suggested,
        stats.unmatched,
        stats.pool,
        stats.strong,
        stats.shared,
    )

    return stats
