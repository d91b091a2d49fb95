"""The app factory: configuration sources, secret key and error handlers."""

import pytest
from sqlalchemy.exc import OperationalError

from server import close_app
from server import create_app as _create_app
from server.config import convert_setting, env_settings
from server.core.errors import ConflictError, TransientError, WorkbookError

pytestmark = pytest.mark.database

created_apps = []


def create_app(*args, **kwargs):
    """Create an app that the ``close_created_apps`` fixture closes."""
    app = _create_app(*args, **kwargs)
    created_apps.append(app)

    return app


@pytest.fixture(autouse=True)
def close_created_apps():
    yield
    while created_apps:
        close_app(created_apps.pop())


def test_config_defaults_to_instance_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path / "inst"))

    assert app.config["DATABASE_URL"] == "sqlite:///" + str(
        tmp_path / "inst" / "dataprep.sqlite"
    )
    assert (tmp_path / "inst" / "dataprep.sqlite").exists()
    assert app.config["DATAPREP_STORAGE_DIR"] == str(tmp_path / "inst")


def test_config_reads_instance_file_and_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text(
        "MAX_CONTENT_LENGTH = 1000\nDATAPREP_JOB_THREADS = 3\n"
    )
    monkeypatch.setenv("DATAPREP_JOB_THREADS", "5")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "env.sqlite"))
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(instance))

    assert app.config["MAX_CONTENT_LENGTH"] == 1000
    assert app.config["DATAPREP_JOB_THREADS"] == 5
    assert app.config["DATABASE_URL"].endswith("env.sqlite")


def test_secret_key_generated_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = str(tmp_path / "inst")
    config = {"DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite")}
    first = create_app(config, instance_path=instance).config["SECRET_KEY"]
    second = create_app(config, instance_path=instance).config["SECRET_KEY"]
    key_file = tmp_path / "inst" / "secret_key"

    assert len(first) == 64
    assert first == second
    assert key_file.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("DATAPREP_MIGRATE", "false", False),
        ("DATAPREP_MIGRATE", "1", True),
        ("DATAPREP_JOB_THREADS", "4", 4),
        ("DATAPREP_JOBS", "rq", "rq"),
    ],
)
def test_convert_setting(key, raw, expected):
    assert convert_setting(key, raw) == expected


@pytest.mark.parametrize(
    ("key", "raw"),
    [("DATAPREP_MIGRATE", "maybe"), ("DATAPREP_JOB_THREADS", "two")],
)
def test_convert_setting_rejects(key, raw):
    with pytest.raises(ValueError, match=key):
        convert_setting(key, raw)


def test_env_settings_ignores_other_variables():
    settings = env_settings({"HOME": "/root", "DATAPREP_JOBS": "rq"})

    assert settings == {"DATAPREP_JOBS": "rq"}


def test_unknown_job_backend_rejected(tmp_path, database_url):
    with pytest.raises(ValueError, match="DATAPREP_JOBS"):
        _create_app(
            {"SECRET_KEY": "x", "DATABASE_URL": database_url, "DATAPREP_JOBS": "x"},
            instance_path=str(tmp_path / "inst"),
        )


@pytest.fixture
def failing_app(app):
    """Add routes that raise, to exercise the error handlers."""

    @app.get("/api/test-conflict")
    def conflict():
        raise ConflictError("Report R1 was applied already; nothing changed.")

    @app.get("/test-workbook")
    def workbook():
        raise WorkbookError("Mapping!V7: '2_0457' is not a local ID.")

    @app.get("/api/test-transient")
    def transient():
        raise TransientError("The database could not be reached; try again.")

    @app.get("/api/test-database-down")
    def database_down():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    @app.get("/api/test-crash")
    def crash():
        raise RuntimeError("secret detail")

    app.config["PROPAGATE_EXCEPTIONS"] = False

    return app


def test_error_json_for_api(failing_app):
    response = failing_app.test_client().get("/api/test-conflict")

    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert response.json["message"] == "Report R1 was applied already; nothing changed."


def test_error_html_for_pages(failing_app):
    response = failing_app.test_client().get("/test-workbook")

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Mapping!V7: &#39;2_0457&#39; is not a local ID." in response.text


def test_error_transient_is_503(failing_app):
    response = failing_app.test_client().get("/api/test-transient")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"


def test_error_database_down_is_503(failing_app):
    response = failing_app.test_client().get("/api/test-database-down")

    assert response.status_code == 503
    assert response.json["error"] == "transient"
    assert "refused" not in response.text


def test_error_internal_is_generic(failing_app):
    response = failing_app.test_client().get("/api/test-crash")

    assert response.status_code == 500
    assert "secret detail" not in response.text
    assert response.json["error"] == "internal"


def test_error_api_404_is_json(client):
    response = client.get("/api/no-such-route")

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
