"""``dataprep create-user``, ``create-token`` and ``init-db``."""

import pytest
from sqlalchemy import inspect

from server.auth import authenticate, user_for_token
from server.cli import main
from server.commands import accounts
from server.db import get_session

from .conftest import run_dataprep

pytestmark = pytest.mark.database


def test_create_user_from_stdin(app, runner):
    result = runner.invoke(
        main,
        ["create-user", "rosa.ruiz", "--role", "admin", "--password-stdin"],
        input="a long password\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output == "Created admin rosa.ruiz.\n"
    with app.app_context():
        user = authenticate(get_session(), "rosa.ruiz", "a long password")
        assert user is not None
        assert user.role == "admin"


def test_create_user_prompts_twice(app, runner, monkeypatch):
    # The runner's input is not a terminal, so has_terminal is patched to True.
    monkeypatch.setattr(accounts, "has_terminal", lambda: True)
    result = runner.invoke(
        main,
        ["create-user", "ben.viewer"],
        input="another password\nanother password\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created viewer ben.viewer." in result.output


def test_create_user_without_terminal_fails(runner):
    result = runner.invoke(main, ["create-user", "ben.viewer"], input="pw\n")

    assert result.exit_code == 2
    assert "Standard input is not a terminal" in result.output
    assert "--password-stdin" in result.output


def test_create_user_no_terminal_subprocess(tmp_path):
    url = "sqlite:///" + str(tmp_path / "accounts.sqlite")
    result = run_dataprep(
        ["create-user", "ben", "--database", url], tmp_path / "instance"
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Error: Standard input is not a terminal, so the password cannot be "
        "asked for; send it on standard input with --password-stdin."
    ]
    assert result.stdout == ""


def test_create_user_rejects_short_password(runner):
    result = runner.invoke(
        main, ["create-user", "ben.viewer", "--password-stdin"], input="short\n"
    )

    assert result.exit_code == 2
    assert "Error: The password is too short" in result.output


def test_create_token_prints_token(app, runner):
    runner.invoke(
        main,
        ["create-user", "rosa.ruiz", "--password-stdin"],
        input="a long password\n",
    )
    result = runner.invoke(main, ["create-token", "rosa.ruiz"])
    token = result.output.strip()

    assert result.exit_code == 0
    with app.app_context():
        assert user_for_token(get_session(), token).username == "rosa.ruiz"


def test_create_token_unknown_user(runner):
    result = runner.invoke(main, ["create-token", "nobody"])

    assert result.exit_code == 2
    assert "User 'nobody' not found" in result.output


def test_init_db_on_new_database(tmp_path, runner, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATAPREP_INSTANCE_PATH", str(tmp_path / "other-instance"))
    url = "sqlite:///" + str(tmp_path / "fresh.sqlite")
    result = runner.invoke(main, ["init-db", "--database", url])

    from sqlalchemy import create_engine

    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()

    assert result.exit_code == 0, result.output
    assert "The database is up to date" in result.output
    assert {"users", "reports", "update_batches", "alembic_version"} <= tables
