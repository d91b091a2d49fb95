"""Update Users: preview, apply once, fail without a trace, undo."""

import io
import threading

import pytest
from sqlalchemy import event, func, select, text, update

from server.db import get_database, get_session
from server.models import SchoologyAccount, UndoRecord, UpdateBatch, UpdateChange

from .conftest import (
    STUDENT_ROW,
    TEACHER_ROW,
    download,
    edit_report,
    generate_report,
)

pytestmark = pytest.mark.database


def unique_ids(app) -> dict[str, str]:
    with app.app_context():
        rows = get_session().execute(
            select(SchoologyAccount.schoology_id, SchoologyAccount.unique_id)
        )
        return dict(rows.all())


def row_count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def preview(client, headers, workbook: bytes):
    return client.post(
        "/api/updates/preview",
        data={"file": (io.BytesIO(workbook), "edited.xlsx")},
        headers=headers,
    )


def apply(client, headers, upload_id: str):
    return client.post("/api/updates", json={"upload_id": upload_id}, headers=headers)


@pytest.fixture
def upload_id(client, admin_headers, edited_workbook) -> str:
    response = preview(client, admin_headers, edited_workbook)
    assert response.status_code == 201, response.json

    return response.json["upload_id"]


def test_preview_lists_every_change(app, client, admin_headers, edited_workbook):
    before = unique_ids(app)
    response = preview(client, admin_headers, edited_workbook)
    plan = response.json["plan"]
    changes = {change["schoology_id"]: change for change in plan["changes"]}

    assert response.status_code == 201
    assert changes[STUDENT_ROW[0]]["before"] == before[STUDENT_ROW[0]]
    assert changes[STUDENT_ROW[0]]["after"] == STUDENT_ROW[1]
    assert changes[TEACHER_ROW[0]]["after"] == TEACHER_ROW[1]
    assert plan["totals"]["change"] == len(changes)
    assert unique_ids(app) == before


def test_apply_records_batch(app, client, admin_headers, upload_id):
    before = unique_ids(app)
    response = apply(client, admin_headers, upload_id)
    after = unique_ids(app)
    batch = client.get(
        f"/api/updates/{response.json['batch']['id']}", headers=admin_headers
    ).json
    recorded = {c["schoology_id"]: (c["before"], c["after"]) for c in batch["changes"]}

    assert response.status_code == 201
    assert after[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert after[TEACHER_ROW[0]] == TEACHER_ROW[1]
    assert batch["created_by"] == "alma.admin"
    assert batch["change_count"] == len(recorded)
    assert recorded == {
        schoology_id: (before[schoology_id], after[schoology_id])
        for schoology_id in before
        if before[schoology_id] != after[schoology_id]
    }


def test_second_submit_changes_nothing(app, client, admin_headers, upload_id):
    first = apply(client, admin_headers, upload_id)
    after_first = unique_ids(app)
    second = apply(client, admin_headers, upload_id)

    assert first.json["applied"] is True
    assert second.status_code == 200
    assert second.json["applied"] is False
    assert "was applied already" in second.json["message"]
    assert f"on {first.json['batch']['created_at']}," in second.json["message"]
    assert "+00:00," in second.json["message"]
    assert "nothing changed" in second.json["message"]
    assert unique_ids(app) == after_first
    assert row_count(app, UpdateBatch) == 1


def test_concurrent_submits_apply_once(app, admin_headers, edited_workbook):
    client = app.test_client()
    upload_ids = [
        preview(client, admin_headers, edited_workbook).json["upload_id"]
        for _ in range(2)
    ]
    # Both threads wait here before locking the report, so both have passed
    # validation when the lock decides which one inserts its batch.
    barrier = threading.Barrier(2)
    engine = get_database(app).engine

    def hold_report_lock(_conn, _cursor, statement, *_args):
        if statement.startswith("UPDATE reports SET superseded"):
            barrier.wait(timeout=10)

    event.listen(engine, "before_cursor_execute", hold_report_lock)
    responses = [None, None]

    def submit(index):
        responses[index] = apply(app.test_client(), admin_headers, upload_ids[index])

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    event.remove(engine, "before_cursor_execute", hold_report_lock)

    assert None not in responses, "a submit thread did not finish within 60 s"
    bodies = [response.json for response in responses]
    for body in bodies:
        assert "applied" in body, f"a submit failed instead of applying: {body}"
    outcomes = sorted(body["applied"] for body in bodies)

    assert sorted(r.status_code for r in responses) == [200, 201]
    assert outcomes == [False, True]
    assert row_count(app, UpdateBatch) == 1
    assert unique_ids(app)[STUDENT_ROW[0]] == STUDENT_ROW[1]


class ApplyRace:
    """Hold concurrent submits so that one applies while the others validate.

    The first submit to read the current Schoology users goes on, but waits
    before inserting its batch until every other submit has read the report
    and reached that read too. Those wait until the first one's batch is
    committed, so they validate against the updated users: the interleaving
    in which a loser saw its plan change under it.
    """

    ACCOUNTS_READ = (
        "SELECT schoology_accounts.schoology_id, schoology_accounts.role, "
        "schoology_accounts.unique_id"
    )

    def __init__(self, app, submits: int, timeout: float = 20):
        self.engine = get_database(app).engine
        self.sessions = get_database(app).sessions
        self.others = submits - 1
        self.timeout = timeout
        self.condition = threading.Condition()
        self.first_thread = None
        self.arrived = 0
        self.inserted = False
        self.committed = threading.Event()

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.hold)
        event.listen(self.sessions, "after_commit", self.note_commit)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self.hold)
        event.remove(self.sessions, "after_commit", self.note_commit)

    @property
    def forced(self) -> bool:
        """Whether every other submit read the users after the batch committed."""
        return self.committed.is_set() and self.arrived == self.others

    def hold(self, _conn, _cursor, statement, *_args):
        if statement.startswith(self.ACCOUNTS_READ):
            self.hold_accounts_read()
        elif statement.startswith("INSERT INTO update_batches"):
            with self.condition:
                self.inserted = True
                self.condition.wait_for(
                    lambda: self.arrived == self.others, self.timeout
                )

    def hold_accounts_read(self):
        with self.condition:
            if self.first_thread is None:
                self.first_thread = threading.get_ident()
                return
            if threading.get_ident() == self.first_thread:
                return
            self.arrived += 1
            self.condition.notify_all()
        self.committed.wait(self.timeout)

    def note_commit(self, _session):
        if threading.get_ident() == self.first_thread and self.inserted:
            self.committed.set()


def submit_together(app, headers, upload_ids: list[str]) -> list:
    """Post every upload id to /api/updates from its own thread at once."""
    start = threading.Barrier(len(upload_ids))
    responses = [None] * len(upload_ids)

    def submit(index):
        start.wait(timeout=10)
        responses[index] = apply(app.test_client(), headers, upload_ids[index])

    threads = [
        threading.Thread(target=submit, args=(index,))
        for index in range(len(upload_ids))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    return responses


def test_racing_submits_all_answered(app, admin_headers, edited_workbook):
    client = app.test_client()
    upload_ids = [
        preview(client, admin_headers, edited_workbook).json["upload_id"]
        for _ in range(3)
    ]
    # The fourth submit repeats the first upload id.
    upload_ids.append(upload_ids[0])
    with ApplyRace(app, len(upload_ids)) as race:
        responses = submit_together(app, admin_headers, upload_ids)

    assert None not in responses, "a submit thread did not finish within 60 s"
    assert race.forced, "the other submits did not validate after the batch"
    bodies = [response.json for response in responses]
    winners = [body for body in bodies if body.get("applied") is True]
    assert len(winners) == 1, bodies
    batch_id = winners[0]["batch"]["id"]
    for response, body in zip(responses, bodies, strict=True):
        if body is winners[0]:
            assert response.status_code == 201
            continue
        assert response.status_code == 200, body
        assert body["applied"] is False
        assert f"was applied already as batch {batch_id}" in body["message"]
        assert "nothing changed" in body["message"]
        assert body["batch"]["id"] == batch_id
    assert row_count(app, UpdateBatch) == 1
    assert unique_ids(app)[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert unique_ids(app)[TEACHER_ROW[0]] == TEACHER_ROW[1]


def install_failing_trigger(app, unique_id: str) -> None:
    """Make the database reject setting one Unique ID, in the middle of an update."""
    engine = get_database(app).engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER fail_update BEFORE UPDATE OF unique_id ON "
                    f"schoology_accounts WHEN NEW.unique_id = '{unique_id}' "
                    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION fail_update() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.unique_id = '{unique_id}' THEN "
                    "RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; "
                    "END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER fail_update BEFORE UPDATE ON schoology_accounts "
                    "FOR EACH ROW EXECUTE FUNCTION fail_update()"
                )
            )


def test_failed_update_changes_nothing(app, client, admin_headers, upload_id):
    before = unique_ids(app)
    install_failing_trigger(app, TEACHER_ROW[1])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = apply(client, admin_headers, upload_id)

    assert response.status_code == 500
    assert "injected" not in response.text
    assert unique_ids(app) == before
    assert row_count(app, UpdateBatch) == 0
    assert row_count(app, UpdateChange) == 0


def test_submit_with_errors_changes_nothing(app, client, admin_headers, report):
    before = unique_ids(app)
    # A teacher's local ID on a student's row is an error.
    workbook = edit_report(
        download(client, admin_headers, report["id"]), {STUDENT_ROW[0]: TEACHER_ROW[1]}
    )
    previewed = preview(client, admin_headers, workbook)
    response = apply(client, admin_headers, previewed.json["upload_id"])

    assert previewed.status_code == 201
    assert previewed.json["can_apply"] is False
    assert previewed.json["validation"]["has_errors"] is True
    assert response.status_code == 409
    assert "cannot be applied" in response.json["message"]
    assert unique_ids(app) == before
    assert row_count(app, UpdateBatch) == 0


def test_apply_rejects_changed_unique_id(app, client, admin_headers, upload_id):
    with app.app_context():
        session = get_session()
        session.execute(
            update(SchoologyAccount)
            .where(SchoologyAccount.schoology_id == TEACHER_ROW[0])
            .values(unique_id="changed-elsewhere")
        )
        session.commit()
    before = unique_ids(app)
    response = apply(client, admin_headers, upload_id)

    assert response.status_code == 409
    assert unique_ids(app) == before
    assert row_count(app, UpdateBatch) == 0


def test_undo_restores_every_value(app, client, admin_headers, upload_id):
    before = unique_ids(app)
    apply(client, admin_headers, upload_id)
    changed = unique_ids(app)
    response = client.post("/api/updates/undo", headers=admin_headers)

    assert changed != before
    assert response.status_code == 200
    assert response.json["batch"]["undone_by"] == "alma.admin"
    assert unique_ids(app) == before
    assert row_count(app, UndoRecord) == 1


def test_undo_twice_rejected(client, admin_headers, upload_id):
    apply(client, admin_headers, upload_id)
    client.post("/api/updates/undo", headers=admin_headers)
    response = client.post("/api/updates/undo", headers=admin_headers)

    assert response.status_code == 409
    assert response.json["message"] == "There is no applied update to undo."


def test_reapply_after_undo(app, client, admin_headers, upload_id):
    apply(client, admin_headers, upload_id)
    client.post("/api/updates/undo", headers=admin_headers)
    again = apply(client, admin_headers, upload_id)

    assert again.status_code == 201
    assert unique_ids(app)[STUDENT_ROW[0]] == STUDENT_ROW[1]
    assert row_count(app, UpdateBatch) == 2


@pytest.mark.parametrize(
    ("moved", "words"),
    [
        (
            [STUDENT_ROW[0]],
            "because 1 Schoology user no longer has the Unique ID it set (user "
            f"{STUDENT_ROW[0]}). Nothing was restored. Import a current Schoology "
            "export, or fix that user in Schoology.",
        ),
        (
            [STUDENT_ROW[0], TEACHER_ROW[0]],
            "because 2 Schoology users no longer have the Unique ID it set (the "
            f"first is user {STUDENT_ROW[0]}). Nothing was restored. Import a "
            "current Schoology export, or fix those users in Schoology.",
        ),
    ],
)
def test_undo_rejected_after_change(
    app, client, admin_headers, upload_id, moved, words
):
    apply(client, admin_headers, upload_id)
    with app.app_context():
        session = get_session()
        session.execute(
            update(SchoologyAccount)
            .where(SchoologyAccount.schoology_id.in_(moved))
            .values(unique_id="edited-in-schoology")
        )
        session.commit()
    before_undo = unique_ids(app)
    response = client.post("/api/updates/undo", headers=admin_headers)

    assert response.status_code == 409
    assert response.json["message"].endswith(words)
    assert unique_ids(app) == before_undo
    assert row_count(app, UndoRecord) == 0


def test_viewer_cannot_apply(app, client, viewer_headers, upload_id):
    before = unique_ids(app)
    response = apply(client, viewer_headers, upload_id)

    assert response.status_code == 403
    assert "needs the admin role" in response.json["message"]
    assert unique_ids(app) == before


def test_viewer_cannot_undo(app, client, admin_headers, viewer_headers, upload_id):
    apply(client, admin_headers, upload_id)
    after = unique_ids(app)
    response = client.post("/api/updates/undo", headers=viewer_headers)

    assert response.status_code == 403
    assert unique_ids(app) == after


def test_viewer_can_validate(client, viewer_headers, edited_workbook):
    response = client.post(
        "/api/validate",
        data={"file": (io.BytesIO(edited_workbook), "edited.xlsx")},
        headers=viewer_headers,
    )

    assert response.status_code == 200
    assert response.json["has_errors"] is False


def test_apply_needs_upload_id(client, admin_headers):
    response = client.post("/api/updates", json={}, headers=admin_headers)

    assert response.status_code == 400
    assert "upload_id is missing" in response.json["message"]


def test_history_lists_batches(client, admin_headers, upload_id):
    apply(client, admin_headers, upload_id)
    batches = client.get("/api/updates", headers=admin_headers).json["batches"]

    assert len(batches) == 1
    assert batches[0]["undone_at"] is None


def test_apply_without_changes_records_nothing(app, client, admin_headers, report):
    # After the first apply, a newer report has every matched user linked.
    workbook = download(client, admin_headers, report["id"])
    first = apply(
        client,
        admin_headers,
        preview(client, admin_headers, workbook).json["upload_id"],
    )
    assert first.status_code == 201
    newer = generate_report(client, admin_headers)["report"]
    unchanged = download(client, admin_headers, newer["id"])
    previewed = preview(client, admin_headers, unchanged)
    response = apply(client, admin_headers, previewed.json["upload_id"])

    assert previewed.json["plan"]["totals"]["change"] == 0
    assert response.status_code == 200
    assert response.json["applied"] is False
    assert "already is its user's Unique ID" in response.json["message"]
    assert row_count(app, UpdateBatch) == 1
