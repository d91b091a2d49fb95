"""Planning Update Users from validated uploads of the sample report."""

from __future__ import annotations

import copy

import openpyxl
import pytest

from server.core.errors import ConflictError
from server.core.readback import read_report
from server.core.update import BLANK, CHANGE, SKIPPED, UNCHANGED, Change, plan_update
from server.core.validate import validate
from tests.core.test_validate import (
    MAPPING_ID_COLUMN,
    SCHOOLOGY,
    edit,
    find_row,
    make_context,
    write_sample,
)


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report.xlsx"
    stored = write_sample(path)

    return path, stored


def plan_for(path, context):
    uploaded = read_report(path)
    result = validate(uploaded, context)

    return uploaded, plan_update(uploaded, result, context)


def test_plan_lists_changes(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})
    context = make_context(stored)

    uploaded, plan = plan_for(path, context)

    ws = openpyxl.load_workbook(path)["Mapping"]
    assert plan.changes == [
        Change("1001", "", "1_004512", 1, "Mapping", find_row(ws, sid="1001")),
        Change("1003", "", "1_S88213", 2, "Mapping", find_row(ws, sid="1003")),
    ]
    assert plan.source_digest == uploaded.source_digest
    assert plan.report_id == "rpt-0001"


def test_plan_counts_per_scenario(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})

    _uploaded, plan = plan_for(path, make_context(stored))

    assert plan.counts[1] == {CHANGE: 1, UNCHANGED: 1, BLANK: 0, SKIPPED: 0}
    assert plan.counts[2] == {CHANGE: 1, UNCHANGED: 0, BLANK: 2, SKIPPED: 0}
    assert plan.counts[3] == {CHANGE: 0, UNCHANGED: 0, BLANK: 4, SKIPPED: 0}
    assert plan.totals == {CHANGE: 2, UNCHANGED: 1, BLANK: 6, SKIPPED: 0}


def test_already_linked_row_unchanged(report):
    path, stored = report
    schoology = dict(SCHOOLOGY)
    schoology["1001"] = copy.copy(SCHOOLOGY["1001"])
    schoology["1001"].unique_id = "1_004512"

    _uploaded, plan = plan_for(path, make_context(stored, schoology=schoology))

    assert plan.changes == []
    assert plan.counts[1][UNCHANGED] == 2


def test_departed_user_skipped(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})
    schoology = {k: v for k, v in SCHOOLOGY.items() if k != "1003"}

    _uploaded, plan = plan_for(path, make_context(stored, schoology=schoology))

    assert [change.schoology_id for change in plan.changes] == ["1001"]
    assert plan.counts[2][SKIPPED] == 1


def test_changed_unique_id_is_before(report):
    path, stored = report
    schoology = dict(SCHOOLOGY)
    schoology["1001"] = copy.copy(SCHOOLOGY["1001"])
    schoology["1001"].unique_id = "LEGACY-12"

    _uploaded, plan = plan_for(path, make_context(stored, schoology=schoology))

    assert plan.changes[0].before == "LEGACY-12"
    assert plan.changes[0].after == "1_004512"


def test_plan_with_errors_rejected(report):
    path, stored = report
    edit(path, {("1003", MAPPING_ID_COLUMN): "3_7781"})
    context = make_context(stored)
    uploaded = read_report(path)
    result = validate(uploaded, context)

    with pytest.raises(ConflictError) as raised:
        plan_update(uploaded, result, context)

    assert "Report rpt-0001 cannot be applied: 1 row has errors, at Mapping row" in (
        raised.value.message
    )
    assert "'3_7781' (Rosa Lee) is a parent or guardian ID" in raised.value.message


def test_plan_for_other_upload_rejected(report):
    path, stored = report
    context = make_context(stored)
    result = validate(read_report(path), context)
    edit(path, {("1003", MAPPING_ID_COLUMN): "1_S88213"})

    with pytest.raises(ConflictError) as raised:
        plan_update(read_report(path), result, context)

    assert "belongs to another upload" in raised.value.message


def test_plan_to_json(report):
    path, stored = report

    _uploaded, plan = plan_for(path, make_context(stored))
    answer = plan.to_json()

    assert answer["totals"][CHANGE] == 1
    assert answer["counts"]["1"][UNCHANGED] == 1
    assert answer["changes"][0]["schoology_id"] == "1001"
    assert answer["changes"][0]["after"] == "1_004512"
