import openpyxl
import pytest

from server.core.errors import DataPrepError
from server.core.layout import (
    COLUMN_INDEX,
    MAPPING_ID,
    SIS_LOCAL_ID,
    ReportRow,
    row_key,
    row_values,
)
from server.core.model import Role, SchoologyUser, SisUser
from server.core.readback import read_report
from server.core.suggest import accept_suggestions, add_suggestions, suggest
from server.core.suggest.profile import grad_year_from_grade, name_tokens
from server.core.validate import (
    OK,
    SchoologyAccount,
    SisPerson,
    StoredReport,
    ValidationContext,
    validate,
)
from server.core.workbook import ReportMeta, write_report

# Grade 9 in the school year that ends in 2027 graduates in 2030.
YEAR_END = 2027


def schoology(schoology_id, first, last, **fields):
    values = {
        "line": 2,
        "schoology_id": schoology_id,
        "unique_id": "",
        "first_name": first,
        "middle_name": "",
        "last_name": last,
        "username": "",
        "email": "",
        "role": Role.STUDENT,
        "role_name": "Student",
        "school": "Lincoln High",
        "grad_year": "2030",
    }
    values.update(fields)
    return SchoologyUser(**values)


def sis(local_id, first, last, **fields):
    values = {
        "line": 2,
        "source": "students.csv",
        "local_id": local_id,
        "sis_key": local_id.partition("_")[2],
        "number": local_id.partition("_")[2],
        "first_name": first,
        "middle_name": "",
        "last_name": last,
        "username": "",
        "email": "",
        "role": Role.STUDENT,
        "role_name": "Student",
        "school": "Lincoln High",
        "grade": "9",
    }
    values.update(fields)
    return SisUser(**values)


def staff_schoology(schoology_id, first, last, **fields):
    fields = {"role": Role.STAFF, "role_name": "Teacher", "grad_year": ""} | fields
    return schoology(schoology_id, first, last, **fields)


def staff_sis(local_id, first, last, **fields):
    fields = {"role": Role.STAFF, "role_name": "teacher", "grade": ""} | fields
    return sis(local_id, first, last, **fields)


# A pool with look-alikes: siblings, shared surnames and common first names.
POOL = [
    sis("1_1001", "Robert", "Okafor", email="robert.okafor@lusd.org"),
    sis("1_1002", "Rachel", "Okafor", grade="11"),
    sis("1_1003", "Robert", "Okafor", school="Jefferson Middle", grade="6"),
    sis("1_1004", "Anna", "Singh", middle_name="Marie"),
    sis("1_1005", "Marie", "Patel", middle_name="B."),
    sis("1_1006", "Maria", "Garcia-Lopez"),
    sis("1_1007", "Mario", "Garcia"),
    sis("1_1008", "Daniel", "Okafur"),
    sis("1_1009", "Daniel", "Oakes"),
    sis("1_1010", "Lena", "Park", email="lena.park@lusd.org"),
    sis("1_1011", "Lena", "Parker"),
    staff_sis("2_2001", "Jennifer", "Walsh", email="jennifer.smith@lusd.org"),
    staff_sis("2_2002", "Jennifer", "Smithers"),
    sis("1_1012", "José", "Núñez"),
    staff_sis("2_2003", "Karen", "Brandt", email="karen.brandt@lusd.org"),
    sis("1_1013", "Sofia", "De La Cruz", grade="K", school="Oak Elementary"),
]


def top_suggestion(user, pool=POOL):
    suggestions = suggest([user], pool, school_year_end=YEAR_END)[user.schoology_id]
    assert suggestions, f"no suggestion for {user.first_name} {user.last_name}"
    return suggestions[0]


def test_suggest_nickname():
    best = top_suggestion(schoology("501", "Bob", "Okafor"))

    assert best.local_id == "1_1001"
    assert "Bob is a nickname of Robert" in best.reason
    assert "last name, school and grade agree" in best.reason


def test_suggest_middle_name_as_first():
    best = top_suggestion(schoology("502", "Marie", "Singh"))

    assert best.local_id == "1_1004"
    assert "first name equals the SIS middle name Marie" in best.reason


def test_suggest_middle_initial_as_first():
    best = top_suggestion(schoology("503", "Brandy", "Patel"))

    assert best.local_id == "1_1005"
    assert "first initial equals the SIS middle initial B" in best.reason


def test_suggest_married_name():
    user = staff_schoology("504", "Jennifer", "Smith", email="jennifer.smith@lusd.org")
    best = top_suggestion(user)

    assert best.local_id == "2_2001"
    assert best.reason.startswith("married name: first name, email local part")
    assert "last name differs" in best.reason


def test_suggest_address_fits_old_name():
    # Her address was made from her maiden name, which the SIS still holds.
    user = staff_schoology("515", "Karen", "Hale", email="kbrandt7@lusd.org")
    best = top_suggestion(user)

    assert best.local_id == "2_2003"
    assert "Schoology email local part fits the SIS name" in best.reason
    assert "last name differs" in best.reason


def test_suggest_strong_claim_leaves_others():
    # Robert's email settles him, so Bob must be someone else.
    robert = schoology("516", "Robert", "Okafor", email="robert.okafor@lusd.org")
    bob = schoology("517", "Bob", "Okafor")
    results = suggest([robert, bob], POOL, school_year_end=YEAR_END)

    assert results["516"][0].local_id == "1_1001"
    assert results["516"][0].score >= 90
    assert "also suggested" not in results["516"][0].reason
    assert all(item.local_id != "1_1001" for item in results["517"])


def test_suggest_one_letter_typo():
    best = top_suggestion(schoology("505", "Daniel", "Okafor"))

    assert best.local_id == "1_1008"
    assert "last name differs by one letter (Okafor/Okafur)" in best.reason


def test_suggest_first_name_typo():
    best = top_suggestion(schoology("521", "Rachal", "Okafor", grad_year="2028"))

    assert best.local_id == "1_1002"
    assert "first name differs by one letter (Rachal/Rachel)" in best.reason


def test_suggest_dropped_hyphen_part():
    best = top_suggestion(schoology("506", "Maria", "Garcia"))

    assert best.local_id == "1_1006"
    assert "hyphenated last name Garcia-Lopez contains Garcia" in best.reason


def test_suggest_swapped_names():
    best = top_suggestion(schoology("507", "Park", "Lena"))

    assert best.local_id == "1_1010"
    assert "first and last names swapped" in best.reason


def test_suggest_personal_email():
    user = schoology("508", "Lena", "Park", email="lenap2009@gmail.com")
    best = top_suggestion(user)

    assert best.local_id == "1_1010"
    assert best.score >= 90
    assert "first name, last name, school and grade agree" in best.reason
    assert "personal gmail.com address" in best.reason


def test_suggest_multi_part_surname():
    user = schoology("518", "Sofia", "Cruz", school="Oak Elementary", grad_year="2039")
    best = top_suggestion(user)

    assert best.local_id == "1_1013"
    assert "multi-part last name De La Cruz contains Cruz" in best.reason


def test_suggest_grade_tolerant_by_one():
    near = top_suggestion(schoology("519", "Rachel", "Okafor", grad_year="2027"))
    far = top_suggestion(schoology("520", "Rachel", "Okafor", grad_year="2031"))

    assert near.local_id == "1_1002"
    assert "grad year is one year off the SIS grade" in near.reason
    assert far.local_id == "1_1002"
    assert "grad year is 3 years off the SIS grade" in far.reason
    assert far.score < near.score


def test_suggest_username():
    # Karen's Schoology name was typed from a form, so only the username is left.
    user = staff_schoology("522", "K.", "Brant", username="kbrandt")
    pool = [*POOL, staff_sis("2_2004", "Kara", "Brandt", username="kbrandt")]
    best = top_suggestion(user, pool)

    assert best.local_id == "2_2004"
    assert best.reason.startswith("username and school agree")


def test_suggest_accents_fold():
    best = top_suggestion(schoology("509", "Jose", "Nunez"))

    assert best.local_id == "1_1012"
    assert best.score >= 90


def test_suggest_no_counterpart():
    results = suggest(
        [schoology("510", "Priya", "Venkataraman")], POOL, school_year_end=YEAR_END
    )

    assert results == {"510": []}


def test_suggest_no_counterpart_sibling_scores_low():
    # Rachel's brother is not in the SIS export; his sister must not score high.
    results = suggest(
        [schoology("511", "Tobias", "Okafor", grad_year="2028")],
        POOL,
        school_year_end=YEAR_END,
    )

    assert all(item.score < 90 for item in results["511"])


def test_suggest_role_must_agree():
    # Jennifer Walsh is staff in the SIS; a student of that name is someone else.
    results = suggest(
        [schoology("512", "Jennifer", "Walsh")], POOL, school_year_end=YEAR_END
    )

    assert results == {"512": []}


def test_suggest_school_and_grade_pick_person():
    user = schoology("513", "Rob", "Okafor", school="Jefferson Middle", grad_year="")
    best = top_suggestion(user)

    assert best.local_id == "1_1003"


def test_suggest_at_most_three_best_first():
    results = suggest(
        [schoology("514", "Robert", "Okafor", school="", grad_year="")],
        POOL,
        school_year_end=YEAR_END,
    )
    scores = [item.score for item in results["514"]]

    assert 1 <= len(scores) <= 3
    assert scores == sorted(scores, reverse=True)


def test_suggest_shared_top_is_warned_on_both():
    users = [schoology("601", "Bob", "Okafor"), schoology("602", "Robby", "Okafor")]
    results = suggest(users, POOL, school_year_end=YEAR_END)
    first = results["601"][0]
    second = results["602"][0]

    assert first.local_id == "1_1001"
    assert second.local_id == "1_1001"
    assert "also suggested for Schoology user 602" in first.reason
    assert "also suggested for Schoology user 601" in second.reason
    assert first.score < 90
    assert second.score < 90


def report_rows():
    linked = sis("1_1001", "Robert", "Okafor")
    return [
        ReportRow(
            scenario=1,
            schoology=schoology("700", "Robert", "Okafor", unique_id="1_1001"),
            sis=linked,
            mapping_id="1_1001",
            matched_by="name",
        ),
        ReportRow(scenario=2, schoology=schoology("701", "Bob", "Okafor")),
        ReportRow(scenario=2, schoology=schoology("702", "Daniel", "Okafor")),
        ReportRow(scenario=2, schoology=schoology("703", "Priya", "Venkataraman")),
        ReportRow(scenario=3, sis=POOL[1]),
        ReportRow(scenario=3, sis=POOL[7]),
        # The same SIS user as the scenario 1 row, listed again by a faulty export.
        ReportRow(scenario=3, sis=sis("1_1001", "Robert", "Okafor")),
    ]


def test_add_suggestions_skips_linked_sis_users():
    rows = report_rows()
    add_suggestions(rows, school_year_end=YEAR_END)
    suggested = {item.local_id for row in rows for item in row.suggestions}

    assert "1_1001" not in suggested
    assert rows[2].suggestions[0].local_id == "1_1008"


def test_add_suggestions_fills_only_scenario_2():
    rows = report_rows()
    add_suggestions(rows, school_year_end=YEAR_END)

    assert rows[0].suggestions == ()
    assert rows[3].suggestions == []
    assert rows[4].suggestions == ()


def test_add_suggestions_stats():
    rows = report_rows()
    stats = add_suggestions(rows, school_year_end=YEAR_END)
    tops = [row.suggestions[0].score for row in rows if row.suggestions]

    assert stats.unmatched == 3
    assert stats.pool == 2
    assert stats.suggested == len(tops)
    assert stats.suggested >= 1
    assert stats.strong == sum(score >= 90 for score in tops)
    assert stats.shared == 0


def test_add_suggestions_writes_columns():
    rows = report_rows()
    add_suggestions(rows, school_year_end=YEAR_END)
    values = row_values(rows[2])

    assert values[COLUMN_INDEX["Suggested Local ID"]] == "1_1008"
    assert isinstance(values[COLUMN_INDEX["Suggestion Score"]], int)
    assert "Okafor/Okafur" in values[COLUMN_INDEX["Suggestion Reason"]]


def mapping_values(scenario, mapping_id, suggested, score, sis_id=None):
    values = row_values(
        ReportRow(scenario=scenario, schoology=schoology("1", "A", "B"))
    )
    values[SIS_LOCAL_ID] = sis_id
    values[MAPPING_ID] = mapping_id
    values[COLUMN_INDEX["Suggested Local ID"]] = suggested
    values[COLUMN_INDEX["Suggestion Score"]] = score
    return values


def test_accept_suggestions_above_score():
    value_rows = [
        mapping_values(2, None, "1_1", 95),
        mapping_values(2, None, "1_2", 80),
        mapping_values(2, "1_9", "1_3", 99),
        mapping_values(2, None, None, None),
        mapping_values(2, None, "1_4", 90.0),
        mapping_values(2, None, "1_5", "92"),
    ]

    assert accept_suggestions(value_rows, 90) == [(0, "1_1"), (4, "1_4"), (5, "1_5")]


def test_accept_suggestions_skips_shared():
    value_rows = [
        mapping_values(2, None, "1_1", 95),
        mapping_values(2, None, "1_1", 93),
        mapping_values(2, None, "1_2", 95),
        mapping_values(2, "1_2", None, None),
        mapping_values(1, "1_3", None, None, sis_id="1_3"),
        mapping_values(2, None, "1_3", 97),
    ]

    assert accept_suggestions(value_rows, 90) == []


def test_accept_suggestions_only_scenario_2():
    value_rows = [
        mapping_values(3, None, "1_1", 95),
        mapping_values("2", None, "1_2", 95),
        mapping_values(2.0, "", "1_3", 95),
    ]

    assert accept_suggestions(value_rows, 90) == [(1, "1_2"), (2, "1_3")]


def test_accept_suggestions_changes_nothing():
    value_rows = [mapping_values(2, None, "1_1", 95)]
    before = [list(values) for values in value_rows]
    accept_suggestions(value_rows, 50)

    assert value_rows == before


@pytest.mark.parametrize("min_score", [-1, 101, "high", None, True, float("nan")])
def test_accept_suggestions_rejects_bad_score(min_score):
    with pytest.raises(DataPrepError, match="Minimum suggestion score"):
        accept_suggestions([], min_score)


@pytest.mark.parametrize(
    ("grade", "grad_year"),
    [("9", 2030), ("09", 2030), ("12", 2027), ("K", 2039), ("KG", 2039), ("PK", 2040)],
)
def test_grad_year_from_grade(grade, grad_year):
    assert grad_year_from_grade(grade, YEAR_END) == grad_year


@pytest.mark.parametrize("grade", ["", "Adult", "14", "-3", "Grade X"])
def test_grad_year_from_grade_unknown(grade):
    assert grad_year_from_grade(grade, YEAR_END) is None


def test_name_tokens_fold_accents_and_hyphens():
    assert name_tokens("Ørsted-Núñez") == ["orsted", "nunez"]
    assert name_tokens("O'Brien") == ["obrien"]


def district_rows():
    """Build report rows where every scenario 2 user has a perturbed SIS record."""
    return [
        ReportRow(
            scenario=1,
            schoology=schoology("800", "Lena", "Park", unique_id="1_1010"),
            sis=POOL[9],
            mapping_id="1_1010",
            matched_by="name",
        ),
        ReportRow(scenario=2, schoology=schoology("801", "Bob", "Okafor")),
        ReportRow(scenario=2, schoology=schoology("802", "Daniel", "Okafor")),
        ReportRow(scenario=2, schoology=schoology("803", "Maria", "Garcia")),
        ReportRow(
            scenario=2,
            schoology=staff_schoology(
                "804", "Jennifer", "Smith", email="jennifer.smith@lusd.org"
            ),
        ),
        ReportRow(scenario=2, schoology=schoology("805", "Priya", "Venkataraman")),
        *(ReportRow(scenario=3, sis=user) for user in POOL if user is not POOL[9]),
    ]


def validation_context(stored, rows):
    schoology_users = [row.schoology for row in rows if row.schoology]
    sis_users = [row.sis for row in rows if row.sis]
    return ValidationContext(
        report=stored,
        sis={
            user.local_id: SisPerson(user.role, f"{user.first_name} {user.last_name}")
            for user in sis_users
        },
        schoology={
            user.schoology_id: SchoologyAccount(user.role, user.unique_id)
            for user in schoology_users
        },
    )


def test_accepted_suggestions_pass_validation(tmp_path):
    rows = district_rows()
    add_suggestions(rows, school_year_end=YEAR_END)
    path = tmp_path / "report.xlsx"
    info = write_report(path, rows, ReportMeta("rpt-suggest", "2026-12-04T09:00:00Z"))
    values = [row_values(row) for row in rows]
    stored = StoredReport(
        "rpt-suggest", info.digest, {row_key(value): value for value in values}
    )

    uploaded = read_report(path)
    accepted = accept_suggestions([row.values for row in uploaded.rows], 80)
    workbook = openpyxl.load_workbook(path)
    for index, local_id in accepted:
        row = uploaded.rows[index]
        column = uploaded.positions[row.sheet][MAPPING_ID] + 1
        workbook[row.sheet].cell(row.row, column).value = local_id
    workbook.save(path)
    result = validate(read_report(path), validation_context(stored, rows))
    by_key = {row.key: row for row in result.rows}
    accepted_ids = {local_id for _index, local_id in accepted}

    assert accepted_ids == {"1_1001", "1_1008", "1_1006", "2_2001"}
    assert not result.has_errors
    for index, local_id in accepted:
        checked = by_key[row_key(uploaded.rows[index].values)]
        assert checked.level == OK, checked
        assert checked.mapping_id == local_id
