"""The development certificates: authority, server certificate and renewal."""

import datetime as dt
import ipaddress
import socket
import ssl
import threading

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from server.addin import certs

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_server_cert_signed_by_ca(tmp_path):
    paths = certs.ensure_certificates(tmp_path, NOW)
    ca = load(paths.ca_cert)
    cert = load(paths.cert)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value

    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert ipaddress.ip_address("127.0.0.1") in names.get_values_for_type(
        x509.IPAddress
    )
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert cert.not_valid_after_utc - NOW <= dt.timedelta(days=398)
    assert paths.key.stat().st_mode & 0o077 == 0


def test_certificates_reused_until_renewal(tmp_path):
    first = certs.ensure_certificates(tmp_path, NOW)
    ca_bytes = first.ca_cert.read_bytes()
    cert_bytes = first.cert.read_bytes()
    again = certs.ensure_certificates(tmp_path, NOW + dt.timedelta(days=10))
    again_bytes = again.cert.read_bytes()
    renewed = certs.ensure_certificates(tmp_path, NOW + dt.timedelta(days=380))

    assert again_bytes == cert_bytes
    assert renewed.ca_cert.read_bytes() == ca_bytes
    assert renewed.cert.read_bytes() != cert_bytes
    load(renewed.cert).verify_directly_issued_by(load(renewed.ca_cert))


def test_tls_handshake_trusts_ca(tmp_path):
    paths = certs.ensure_certificates(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(paths.cert, paths.key)
    client_context = ssl.create_default_context(cafile=str(paths.ca_cert))
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def accept():
        connection, _ = listener.accept()
        with server_context.wrap_socket(connection, server_side=True) as tls:
            tls.sendall(b"ok")

    thread = threading.Thread(target=accept)
    thread.start()
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with client_context.wrap_socket(raw, server_hostname="localhost") as tls:
            received = tls.recv(2)
    thread.join(timeout=10)
    listener.close()

    assert received == b"ok"
