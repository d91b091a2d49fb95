"""Match Schoology users to SIS users and sort them into the three scenarios.

Scenario 1: matched, and the Integration-Mapping ID is the SIS local ID.
Scenario 2: only in Schoology, or no mapping option matched.
Scenario 3: only in the SIS.

A Schoology user whose Unique ID already is a SIS local ID is linked before any
mapping option runs. Each option then runs on the users still unmatched. Two
users match when their keys (see ``normalize``) are equal and their roles are
the same. A key that several users of one role share on either side matches
nobody, and the note on those rows names the candidates. Every pass builds
dict indexes, so the work grows linearly with the number of users.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from .errors import MatchOptionError
from .layout import ReportRow
from .model import Role, SchoologyUser, SisUser
from .normalize import email_key, id_key, name_key, username_key

logger = logging.getLogger(__name__)

LINKED = "linked"

# Maximum number of candidate IDs that one note lists before it adds "and N more".
MAX_NOTE_IDS = 5


@dataclass(frozen=True, slots=True)
class MappingOption:
    """The key and value functions of one mapping option, for each side.

    ``*_key`` functions return the comparison key (``""`` never matches) and
    ``*_value`` functions the raw value shown in the Matching columns.
    """

    name: str
    schoology_key: Callable[[SchoologyUser], str]
    sis_key: Callable[[SisUser], str]
    schoology_value: Callable[[SchoologyUser], str]
    sis_value: Callable[[SisUser], str]


def _full_name(user: SchoologyUser | SisUser) -> str:
    return " ".join(part for part in (user.first_name, user.last_name) if part)


MAPPING_OPTIONS: dict[str, MappingOption] = {
    option.name: option
    for option in (
        MappingOption(
            "unique-id",
            lambda s: id_key(s.unique_id),
            lambda p: id_key(p.number),
            lambda s: s.unique_id,
            lambda p: p.number,
        ),
        MappingOption(
            "email",
            lambda s: email_key(s.email),
            lambda p: email_key(p.email),
            lambda s: s.email,
            lambda p: p.email,
        ),
        MappingOption(
            "username",
            lambda s: username_key(s.username),
            lambda p: username_key(p.username),
            lambda s: s.username,
            lambda p: p.username,
        ),
        MappingOption(
            "name",
            lambda s: name_key(s.first_name, s.last_name),
            lambda p: name_key(p.first_name, p.last_name),
            _full_name,
            _full_name,
        ),
    )
}

# The pass that runs first: the Schoology Unique ID against the SIS local ID.
LINKED_OPTION = MappingOption(
    "local ID",
    lambda s: id_key(s.unique_id),
    lambda p: id_key(p.local_id),
    lambda s: s.unique_id,
    lambda p: p.local_id,
)

VALID_OPTIONS_TEXT = ", ".join(MAPPING_OPTIONS)

# The Match Note of a scenario 1 row, one string per way of matching, which
# every such row shares.
MATCHED_NOTES = {
    LINKED: "Already linked: the Unique ID is this SIS local ID",
    **{option: f"Matched by {option}" for option in MAPPING_OPTIONS},
}


def parse_options(text: str | Sequence[str]) -> list[str]:
    """Parse a comma-separated list of mapping options, keeping its order.

    A sequence of option names is checked the same way. Names are trimmed and
    compared without case.

    :raise MatchOptionError: for an empty list or item, an unknown option or
        one listed twice.
    """
    if isinstance(text, str):
        option_text = text
        items = text.split(",")
    else:
        option_text = ",".join(text)
        items = list(text)

    if not option_text.strip():
        raise MatchOptionError(
            f"No mapping option was given. Use one or more of: {VALID_OPTIONS_TEXT},"
            " separated by commas."
        )

    options: list[str] = []
    for item in items:
        option = item.strip().lower()
        if not option:
            raise MatchOptionError(
                f"The mapping options '{option_text}' contain an empty item."
                " Separate the options with single commas, for example"
                " 'email,username'."
            )

        if option not in MAPPING_OPTIONS:
            raise MatchOptionError(
                f"'{item.strip()}' is not a valid mapping option. Use one or more of:"
                f" {VALID_OPTIONS_TEXT}, separated by commas."
            )

        if option in options:
            raise MatchOptionError(
                f"The mapping option '{option}' is listed twice in '{option_text}'."
                " List each option once."
            )

        options.append(option)

    return options


# The field that each mapping option compares, as messages name it: on the
# Schoology side, then on the SIS side.
OPTION_FIELDS = {
    "unique-id": (
        "a User Unique ID",
        "a number (student number, teacher number or OneRoster identifier)",
    ),
    "email": ("an email", "an email"),
    "username": ("a username", "a username"),
    "name": ("a first and last name", "a first and last name"),
}


def check_option_fields(
    schoology_users: Sequence[SchoologyUser],
    sis_users: Sequence[SisUser],
    options: Sequence[str],
    schoology_file: str,
) -> list[str]:
    """Check that each mapping option has values to compare on both sides.

    Returns a warning for each SIS file in which no user has a value, when
    other SIS files have some.

    :raise MatchOptionError: when no user of one side has a value for an
        option, because the column is missing or blank, so the option could
        match no user.
    """
    warnings = []
    for name in options:
        option = MAPPING_OPTIONS[name]
        schoology_field, sis_field = OPTION_FIELDS[name]
        if not any(option.schoology_key(user) for user in schoology_users):
            raise MatchOptionError(
                f"{schoology_file}: no user has {schoology_field}, so the mapping "
                f"option '{name}' cannot match anyone. Export the users again "
                "with that column filled in, or choose other mapping options."
            )

        files_with_value = {user.source for user in sis_users if option.sis_key(user)}
        if not files_with_value:
            files = ", ".join(sorted({user.source for user in sis_users}))
            raise MatchOptionError(
                f"{files}: no SIS user has {sis_field}, so the mapping option "
                f"'{name}' cannot match anyone. Export the SIS users again with "
                "that column filled in, or choose other mapping options."
            )

        for source in sorted({user.source for user in sis_users} - files_with_value):
            warnings.append(
                f"{source}: no user has {sis_field}, so the mapping option '{name}' "
                "matched none of the users of this file."
            )

    return warnings


@dataclass(slots=True)
class MatchResult:
    """The report rows with their counts.

    ``counts`` maps each scenario (1, 2, 3) to its number of rows.
    ``option_counts`` maps ``"linked"`` and each mapping option to the
    scenario 1 rows it produced. ``ambiguous_schoology`` and ``ambiguous_sis``
    count the unmatched users whose key was shared, so they need mapping by hand.
    """

    options: list[str]
    rows: list[ReportRow]
    counts: dict[int, int]
    option_counts: dict[str, int]
    already_linked: int
    ambiguous_schoology: int = 0
    ambiguous_sis: int = 0


@dataclass
class _MatchState:
    """The users of both sides and what the passes decided so far, by index."""

    schoology: Sequence[SchoologyUser]
    sis: Sequence[SisUser]
    # Schoology index -> (SIS index, matched_by).
    pairs: dict[int, tuple[int, str]] = field(default_factory=dict)
    matched_sis: set[int] = field(default_factory=set)
    schoology_notes: dict[int, list[str]] = field(default_factory=dict)
    sis_notes: dict[int, list[str]] = field(default_factory=dict)
    ambiguous_schoology: set[int] = field(default_factory=set)
    ambiguous_sis: set[int] = field(default_factory=set)

    def unmatched_schoology(self) -> Iterable[int]:
        return (i for i in range(len(self.schoology)) if i not in self.pairs)

    def unmatched_sis(self) -> Iterable[int]:
        return (i for i in range(len(self.sis)) if i not in self.matched_sis)


def match(
    schoology_users: Sequence[SchoologyUser],
    sis_users: Sequence[SisUser],
    options: str | Sequence[str],
) -> MatchResult:
    """Match the users of both sides and return the report rows.

    Scenario 1 rows come first in Schoology export order, then scenario 2 rows
    in Schoology export order, then scenario 3 rows in SIS export order.

    :raise MatchOptionError: when ``options`` is not a valid list.
    """
    options = parse_options(options)
    state = _MatchState(schoology_users, sis_users)

    with _paused_gc():
        _run_pass(state, LINKED_OPTION, LINKED)
        for option in options:
            _run_pass(state, MAPPING_OPTIONS[option], option)

        result = _build_result(state, options)
    logger.info(
        "Matched %d Schoology and %d SIS users: scenario 1 %d, 2 %d, 3 %d",
        len(schoology_users),
        len(sis_users),
        result.counts[1],
        result.counts[2],
        result.counts[3],
    )

    return result


@contextmanager
def _paused_gc():
    """Pause the cyclic garbage collector while the indexes and rows are built.

    Matching creates no reference cycles, yet its several hundred thousand new
    lists and rows set off repeated full collections: on CPython 3.11 they
    took half the time of a 100,000-user match. Reference counting still
    frees memory. The collector is switched back on only if it was on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_pass(state: _MatchState, option: MappingOption, matched_by: str) -> None:
    """Match the unmatched users on one option and note the shared keys."""
    schoology_by_key = _index_keys(
        state.schoology, state.unmatched_schoology(), option.schoology_key
    )
    sis_by_key = _index_keys(state.sis, state.unmatched_sis(), option.sis_key)

    for key, schoology_held in schoology_by_key.items():
        sis_held = sis_by_key.get(key)
        if sis_held is None:
            continue

        # Most keys belong to one user on each side, so that case skips the
        # split by role.
        if type(schoology_held) is int and type(sis_held) is int:
            i, j = schoology_held, sis_held
            if state.schoology[i].role == state.sis[j].role:
                state.pairs[i] = (j, matched_by)
                state.matched_sis.add(j)
            else:
                _note_other_roles(state, option.name, [i], [j])
                _note_other_roles_sis(state, option.name, [j], [i])
        else:
            _resolve_shared_key(
                state,
                option.name,
                matched_by,
                _as_list(schoology_held),
                _as_list(sis_held),
            )


def _index_keys(
    users: Sequence, indexes: Iterable[int], key_of: Callable
) -> dict[str, int | list[int]]:
    """Group the given users by their non-blank key.

    A key of one user maps to that user's index and a shared key to a list of
    indexes, because a list for each of a million keys would take about 90 MB.
    """
    by_key: dict[str, int | list[int]] = {}
    for i in indexes:
        key = key_of(users[i])
        if not key:
            continue

        held = by_key.get(key)
        if held is None:
            by_key[key] = i
        elif type(held) is int:
            by_key[key] = [held, i]
        else:
            held.append(i)

    return by_key


def _as_list(held: int | list[int]) -> list[int]:
    return [held] if type(held) is int else held


def _resolve_shared_key(
    state: _MatchState,
    label: str,
    matched_by: str,
    schoology_indexes: list[int],
    sis_indexes: list[int],
) -> None:
    """Match the users of one key role by role, noting what stays ambiguous."""
    schoology_by_role: dict[Role, list[int]] = defaultdict(list)
    for i in schoology_indexes:
        schoology_by_role[state.schoology[i].role].append(i)

    sis_by_role: dict[Role, list[int]] = defaultdict(list)
    for j in sis_indexes:
        sis_by_role[state.sis[j].role].append(j)

    for role, role_schoology in schoology_by_role.items():
        role_sis = sis_by_role.get(role)
        if not role_sis:
            continue

        if len(role_schoology) == 1 and len(role_sis) == 1:
            state.pairs[role_schoology[0]] = (role_sis[0], matched_by)
            state.matched_sis.add(role_sis[0])
        else:
            _note_shared_key(state, label, role_schoology, role_sis)

    # Roles without a counterpart run last, so that users matched above are
    # not reported as candidates of another role.
    left_schoology = [i for i in schoology_indexes if i not in state.pairs]
    left_sis = [j for j in sis_indexes if j not in state.matched_sis]
    for role, role_schoology in schoology_by_role.items():
        if role not in sis_by_role and left_sis:
            _note_other_roles(state, label, role_schoology, left_sis)

    for role, role_sis in sis_by_role.items():
        if role not in schoology_by_role and left_schoology:
            _note_other_roles_sis(state, label, role_sis, left_schoology)


def _note_shared_key(
    state: _MatchState,
    label: str,
    schoology_indexes: list[int],
    sis_indexes: list[int],
) -> None:
    """Add a note to every user of a key that more than one pair could share.

    A Schoology row names the SIS candidates, and the other Schoology users
    when there are several. A SIS row does the same the other way round.
    """
    schoology_part = _describe_users(
        "Schoology",
        [state.schoology[i].schoology_id for i in schoology_indexes],
    )
    sis_part = _describe_users("SIS", [state.sis[j].local_id for j in sis_indexes])

    schoology_note = f"{label} shared by {sis_part}"
    if len(schoology_indexes) > 1:
        schoology_note = f"{label} shared by {schoology_part} and {sis_part}"

    sis_note = f"{label} shared by {schoology_part}"
    if len(sis_indexes) > 1:
        sis_note = f"{label} shared by {schoology_part} and {sis_part}"

    for i in schoology_indexes:
        state.schoology_notes.setdefault(i, []).append(schoology_note)
        state.ambiguous_schoology.add(i)

    for j in sis_indexes:
        state.sis_notes.setdefault(j, []).append(sis_note)
        state.ambiguous_sis.add(j)


def _note_other_roles(
    state: _MatchState,
    label: str,
    schoology_indexes: list[int],
    sis_indexes: list[int],
) -> None:
    """Note Schoology users whose key is only on SIS users of another role.

    Those pairs never match, because a student account must not be linked to
    a staff or parent record, but the admin should see why.
    """
    others = [state.sis[j] for j in sis_indexes]
    described = _describe_roles("SIS", [p.local_id for p in others], others)
    for i in schoology_indexes:
        state.schoology_notes.setdefault(i, []).append(
            f"{label} matches {described},"
            f" but the Schoology role is {state.schoology[i].role}"
        )


def _note_other_roles_sis(
    state: _MatchState,
    label: str,
    sis_indexes: list[int],
    schoology_indexes: list[int],
) -> None:
    """Note SIS users whose key is only on Schoology users of another role."""
    others = [state.schoology[i] for i in schoology_indexes]
    described = _describe_roles("Schoology", [s.schoology_id for s in others], others)
    for j in sis_indexes:
        state.sis_notes.setdefault(j, []).append(
            f"{label} matches {described}, but the SIS role is {state.sis[j].role}"
        )


def _describe_roles(side: str, ids: list[str], users: list) -> str:
    roles = "/".join(sorted({str(user.role) for user in users}))
    noun = "user" if len(ids) == 1 else "users"

    return f"{side} {noun} {_join_ids(ids)} of role {roles}"


def _describe_users(side: str, ids: list[str]) -> str:
    noun = "user" if len(ids) == 1 else "users"

    return f"{len(ids)} {side} {noun}: {_join_ids(ids)}"


def _join_ids(ids: list[str]) -> str:
    listed = ", ".join(ids[:MAX_NOTE_IDS])
    if len(ids) > MAX_NOTE_IDS:
        listed += f" and {len(ids) - MAX_NOTE_IDS} more"

    return listed


def _finish_note(notes: list[str] | None) -> str:
    if not notes:
        return ""

    return "; ".join(notes) + "; map by hand"


def _build_result(state: _MatchState, options: list[str]) -> MatchResult:
    """Assemble the rows in scenario order, with their counts."""
    first = MAPPING_OPTIONS[options[0]]
    option_counts = {LINKED: 0, **{option: 0 for option in options}}
    matched_rows: list[ReportRow] = []
    schoology_only: list[ReportRow] = []

    for i, user in enumerate(state.schoology):
        if i in state.pairs:
            j, matched_by = state.pairs[i]
            matched_rows.append(_matched_row(user, state.sis[j], matched_by))
            option_counts[matched_by] += 1
        else:
            schoology_only.append(
                ReportRow(
                    scenario=2,
                    schoology=user,
                    schoology_value=first.schoology_value(user),
                    note=_finish_note(state.schoology_notes.get(i)),
                )
            )

    sis_only = [
        ReportRow(
            scenario=3,
            sis=state.sis[j],
            sis_value=first.sis_value(state.sis[j]),
            note=_finish_note(state.sis_notes.get(j)),
        )
        for j in state.unmatched_sis()
    ]

    return MatchResult(
        options=options,
        rows=matched_rows + schoology_only + sis_only,
        counts={1: len(matched_rows), 2: len(schoology_only), 3: len(sis_only)},
        option_counts=option_counts,
        already_linked=option_counts[LINKED],
        ambiguous_schoology=sum(
            1 for i in state.ambiguous_schoology if i not in state.pairs
        ),
        ambiguous_sis=sum(1 for j in state.ambiguous_sis if j not in state.matched_sis),
    )


def _matched_row(user: SchoologyUser, sis_user: SisUser, matched_by: str) -> ReportRow:
    if matched_by == LINKED:
        option = LINKED_OPTION
    else:
        option = MAPPING_OPTIONS[matched_by]
    note = MATCHED_NOTES[matched_by]

    return ReportRow(
        scenario=1,
        schoology=user,
        sis=sis_user,
        mapping_id=sis_user.local_id,
        matched_by=matched_by,
        schoology_value=option.schoology_value(user),
        sis_value=option.sis_value(sis_user),
        note=note,
    )
