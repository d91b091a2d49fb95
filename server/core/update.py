"""Plan Update Users from a validated report: whose Unique ID changes to what.

The plan is what the preview shows and what the server applies. It lists
every Schoology user whose Integration-Mapping ID differs from the Unique ID
that Schoology holds now, and counts the rest per scenario. Applying it to the
database is the server's job, so nothing here writes anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from . import layout
from .errors import ConflictError
from .plural import counted
from .readback import UploadedReport
from .readers.source import gc_paused
from .validate import ERROR, ValidationContext, ValidationResult
from .validate.rows import row_scenario

logger = logging.getLogger(__name__)

# What happens to a row: its user's Unique ID changes, it already equals the
# ID (unchanged), the row has no ID (blank), or the user has left Schoology
# since the report was generated (skipped).
CHANGE = "change"
UNCHANGED = "unchanged"
BLANK = "blank"
SKIPPED = "skipped"
OUTCOMES = (CHANGE, UNCHANGED, BLANK, SKIPPED)


@dataclass(slots=True, frozen=True)
class Change:
    """One Schoology user whose Unique ID Update Users sets to a SIS local ID."""

    schoology_id: str
    before: str
    after: str
    scenario: int
    sheet: str
    row: int


@dataclass(slots=True)
class UpdatePlan:
    """The changes Update Users would make for one uploaded report.

    ``counts`` maps each scenario (1, 2, 3) to the number of rows per outcome.
    ``source_digest`` is the uploaded bytes' (or values') SHA-256, so that the
    server can check that it applies the upload it previewed.
    """

    report_id: str
    source_digest: str
    changes: list[Change] = field(default_factory=list)
    counts: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        """Count rows per outcome over all scenarios."""
        return {
            outcome: sum(counts[outcome] for counts in self.counts.values())
            for outcome in OUTCOMES
        }

    def to_json(self) -> dict:
        """Build the preview for the API: counts and every change."""
        return {
            "report_id": self.report_id,
            "source_digest": self.source_digest,
            "totals": self.totals,
            "counts": {str(s): dict(c) for s, c in self.counts.items()},
            "changes": [
                {
                    "schoology_id": change.schoology_id,
                    "before": change.before,
                    "after": change.after,
                    "scenario": change.scenario,
                    "sheet": change.sheet,
                    "row": change.row,
                }
                for change in self.changes
            ],
        }


def plan_update(
    uploaded: UploadedReport, result: ValidationResult, context: ValidationContext
) -> UpdatePlan:
    """List the Unique ID changes that an error-free validated upload asks for.

    ``result`` must be ``validate(uploaded, context)``. A row whose ID already
    is the user's Unique ID counts as unchanged.

    :raise ConflictError: the result has errors, or belongs to another upload.
    """
    if (
        result.report_id != uploaded.report_id
        or result.source_digest != uploaded.source_digest
        or len(result.rows) != len(uploaded.rows)
    ):
        raise ConflictError(
            f"The validation result for report {result.report_id} belongs to "
            f"another upload than {uploaded.name}. Validate the workbook again "
            "before Update Users."
        )

    errors = [row for row in result.rows if row.level == ERROR]
    if errors:
        first = errors[0]
        rows = counted(len(errors), "row has", "rows have")
        where = "at" if len(errors) == 1 else "the first at"
        raise ConflictError(
            f"Report {result.report_id} cannot be applied: {rows} errors, {where} "
            f"{first.sheet} row {first.row} ({first.messages[0]}). Fix them and "
            "validate again before Update Users."
        )

    plan = UpdatePlan(
        report_id=uploaded.report_id,
        source_digest=uploaded.source_digest,
        counts={scenario: dict.fromkeys(OUTCOMES, 0) for scenario in (1, 2, 3)},
    )
    # One Change per changed row and no reference cycles, so the collector
    # would only walk the rows again and again.
    with gc_paused():
        for row, checked in zip(uploaded.rows, result.rows, strict=True):
            scenario = row_scenario(row.values)
            outcome = _plan_row(plan, row, checked.mapping_id, scenario, context)
            counts = plan.counts.setdefault(scenario, dict.fromkeys(OUTCOMES, 0))
            counts[outcome] += 1

    logger.info("planned update for report %s: %s", uploaded.report_id, plan.totals)

    return plan


def _plan_row(plan, row, local_id: str, scenario: int, context) -> str:
    if not local_id:
        return BLANK

    schoology_id = layout.cell_text(row.values[layout.SCHOOLOGY_ID])
    account = context.schoology.get(schoology_id)
    if account is None:
        return SKIPPED

    if account.unique_id == local_id:
        return UNCHANGED

    plan.changes.append(
        Change(schoology_id, account.unique_id, local_id, scenario, row.sheet, row.row)
    )

    return CHANGE
