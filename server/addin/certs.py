"""A local certificate authority and server certificate for HTTPS development.

Office loads an add-in only over HTTPS, also from 127.0.0.1. ``dataprep serve
--https`` calls ``ensure_certificates``, which creates a certificate authority
once, and a server certificate for localhost and 127.0.0.1 signed by it. The
user trusts the authority's certificate once (see docs/addin.md); the server
certificate is renewed from it whenever it nears its end.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

logger = logging.getLogger(__name__)

FOLDER = "dev-certs"
CA_NAME = "SIS Data Prep development CA"
CA_DAYS = 3650
# The server certificate is short-lived and renewed from the authority.
SERVER_DAYS = 397
RENEW_DAYS = 30
DNS_NAMES = ("localhost",)
IP_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class Certificates:
    """Paths of the authority's certificate and the server's certificate and key."""

    ca_cert: Path
    cert: Path
    key: Path


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def write_key(path: Path, key) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make_ca(now: dt.datetime):
    """Create a self-signed certificate authority that may sign server certificates."""
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )

    return key, cert


def make_server_cert(ca_key, ca_cert: x509.Certificate, now: dt.datetime):
    """Create a server certificate for localhost and the loopback addresses."""
    key = new_key()
    names = [x509.DNSName(name) for name in DNS_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in IP_ADDRESSES]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DNS_NAMES[0])])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    return key, cert


def expires_soon(path: Path, now: dt.datetime) -> bool:
    cert = x509.load_pem_x509_certificate(path.read_bytes())

    return cert.not_valid_after_utc - now < dt.timedelta(days=RENEW_DAYS)


def ensure_certificates(instance_path: str | Path, now: dt.datetime | None = None):
    """Return the development certificates, creating or renewing what is needed.

    The authority is kept as long as it is valid, so that trusting it once is
    enough. The server certificate is renewed within RENEW_DAYS of its end.
    """
    now = now or dt.datetime.now(dt.UTC)
    folder = Path(instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificates(
        folder / "ca.crt", folder / "localhost.crt", folder / "localhost.key"
    )
    ca_key_path = folder / "ca.key"

    if (
        not paths.ca_cert.is_file()
        or not ca_key_path.is_file()
        or expires_soon(paths.ca_cert, now)
    ):
        ca_key, ca_cert = make_ca(now)
        write_key(ca_key_path, ca_key)
        write_cert(paths.ca_cert, ca_cert)
        # A new authority invalidates the old server certificate.
        paths.cert.unlink(missing_ok=True)
        logger.info("Created the development certificate authority in %s", folder)

    if (
        not paths.cert.is_file()
        or not paths.key.is_file()
        or expires_soon(paths.cert, now)
    ):
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
        ca_cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
        key, cert = make_server_cert(ca_key, ca_cert, now)
        write_key(paths.key, key)
        write_cert(paths.cert, cert)
        logger.info("Created the development server certificate in %s", folder)

    return paths
