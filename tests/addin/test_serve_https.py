"""``dataprep serve --https`` as a real process on 127.0.0.1.

The command creates the development certificate authority and the server
certificate in a temporary instance folder, and the tests fetch the manifest
over HTTPS, trusting only that authority.
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pytest

from server.addin import certs

DATAPREP = shutil.which("dataprep", path=str(Path(sys.executable).parent))
START_SECONDS = 60

pytestmark = pytest.mark.skipif(
    DATAPREP is None, reason="the dataprep command is not installed next to Python"
)


@dataclass
class ServeProcess:
    """A running ``dataprep serve --https`` and the files it writes."""

    origin: str
    instance: Path
    process: subprocess.Popen
    log: TextIO

    @property
    def manifest_url(self) -> str:
        return f"{self.origin}/addin/manifest.xml"

    @property
    def ca_cert(self) -> Path:
        return self.instance / certs.FOLDER / "ca.crt"

    def output(self) -> str:
        self.log.seek(0)

        return self.log.read()


def free_port() -> int:
    # A port that was free a moment ago is almost always still free.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_manifest(server: ServeProcess) -> bytes:
    """Fetch the manifest once the server responds, trusting only its authority."""
    deadline = time.monotonic() + START_SECONDS
    last_error = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(
                f"dataprep serve exited with {server.process.returncode}: "
                f"{server.output()}"
            )

        # Until the server has written the authority and listens, loading the
        # file or connecting fails with an OSError.
        try:
            context = ssl.create_default_context(cafile=str(server.ca_cert))
            with urllib.request.urlopen(
                server.manifest_url, context=context, timeout=5
            ) as reply:
                return reply.read()
        except OSError as error:
            last_error = error
        time.sleep(0.2)

    raise AssertionError(
        f"dataprep serve did not respond at {server.manifest_url} within "
        f"{START_SECONDS} s: {last_error!r}"
    )


@pytest.fixture
def https_server(tmp_path):
    """Run ``dataprep serve --https`` on a free port, and stop it afterwards."""
    instance = tmp_path / "instance"
    port = free_port()
    # The developer's own database and DATAPREP_* settings stay out, so the
    # server uses only the temporary instance folder and database.
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("DATAPREP_")
    }
    env["DATAPREP_INSTANCE_PATH"] = str(instance)
    command = [
        DATAPREP,
        "serve",
        "--https",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database",
        f"sqlite:///{tmp_path / 'serve.sqlite'}",
    ]
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield ServeProcess(f"https://127.0.0.1:{port}", instance, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_serve_https_manifest(https_server):
    manifest = wait_for_manifest(https_server)
    taskpane = f"{https_server.origin}/addin/taskpane.html"

    assert manifest.startswith(b"<?xml")
    assert f'<SourceLocation DefaultValue="{taskpane}"/>'.encode() in manifest
    assert f"Trust {https_server.ca_cert} once" in https_server.output()


def test_serve_https_untrusted_rejected(https_server, tmp_path):
    wait_for_manifest(https_server)
    # A second authority, made in another folder, did not sign the server's
    # certificate, so a client that trusts only it must reject the server.
    other = certs.ensure_certificates(tmp_path / "other")
    context = ssl.create_default_context(cafile=str(other.ca_cert))

    with pytest.raises(urllib.error.URLError) as raised:
        urllib.request.urlopen(https_server.manifest_url, context=context, timeout=5)

    assert isinstance(raised.value.reason, ssl.SSLCertVerificationError)
