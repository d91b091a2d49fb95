"""What validation compares an uploaded report with, as the server stores it.

The server builds a ``ValidationContext`` from its database: the stored report
with the row values as generated, the current SIS snapshot, the current
Schoology users and the links between them. Nothing here reads a database, so
the command line, the API and the add-in check the same rules on the same data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import ROLE_PREFIXES, Role


@dataclass(slots=True)
class StoredReport:
    """A report as it was generated and stored.

    ``rows`` maps ``layout.row_key`` to the row's values in column order, in
    the order they were written. ``digest`` is the content digest that the
    writer put in the meta sheet. A report is ``superseded`` when a newer report
    was generated (``newer_report_id``) or it was applied already
    (``applied_at``, ISO text).
    """

    report_id: str
    digest: str
    rows: dict[str, list]
    superseded: bool = False
    newer_report_id: str | None = None
    applied_at: str | None = None


@dataclass(slots=True)
class SisPerson:
    """A person in the current SIS snapshot."""

    role: Role | None
    name: str = ""


@dataclass(slots=True)
class SchoologyAccount:
    """A current Schoology user: the role and the Unique ID Schoology holds now."""

    role: Role | None
    unique_id: str = ""


@dataclass
class ValidationContext:
    """The stored report and the current state of both sides.

    ``sis`` maps SIS local ID to person, ``schoology`` maps Schoology User ID to
    account, and ``links`` maps a Unique ID to the Schoology User ID that holds
    it. When ``links`` is None it is derived from ``schoology``.
    """

    report: StoredReport | None
    sis: dict[str, SisPerson]
    schoology: dict[str, SchoologyAccount]
    links: dict[str, str] | None = None
    _index: SisIndex | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.links is None:
            self.links = {
                account.unique_id: schoology_id
                for schoology_id, account in self.schoology.items()
                if account.unique_id
            }

    @property
    def sis_index(self) -> SisIndex:
        """Lookups for guessing a mistyped local ID, built on first use."""
        if self._index is None:
            self._index = SisIndex(self.sis)

        return self._index


class SisIndex:
    """Local IDs found by key without leading zeros, and by lower-case text.

    Only a mistyped Integration-Mapping ID needs these, so a clean upload never
    pays for building them.
    """

    def __init__(self, sis: dict[str, SisPerson]):
        self.by_bare_key: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.by_folded: dict[str, list[str]] = defaultdict(list)
        for local_id in sis:
            prefix, _sep, key = local_id.partition("_")
            self.by_bare_key[prefix, key.lstrip("0")].append(local_id)
            self.by_folded[local_id.casefold()].append(local_id)

    def guess(self, key: str, role: Role | None) -> str | None:
        """Return the one local ID that ``key`` most likely meant, or None.

        ``key`` is what the user typed without a role prefix, or a whole local
        ID in the wrong case. The row's role picks the prefix when it is known.
        """
        folded = self.by_folded.get(key.casefold(), [])
        if len(folded) == 1:
            return folded[0]

        prefixes = [role.prefix] if role else list(ROLE_PREFIXES.values())
        candidates = []
        for prefix in prefixes:
            candidates.extend(self.by_bare_key.get((prefix, key.lstrip("0")), []))

        return candidates[0] if len(candidates) == 1 else None
