"""HTTPS on a court's own network (issue 27): the field app's service worker, persistent
storage and WebCrypto work only in a secure context, so a phone reaching the server at
``http://10.x.x.x`` would get an app that never works offline.

``make serve`` (gunicorn.conf.py) serves HTTPS with the court's own certificate
(``TLS_CERT_FILE`` / ``TLS_KEY_FILE``) or, when it has none, with a certificate issued by a
private certificate authority this module creates once under ``.data/tls/``: the phones
trust that authority's certificate (``ca.crt``; docs/app.md says how), and the server
certificate names the host names and addresses the court sets (``TLS_HOSTS``). The
authority's key never leaves the server; the server certificate is issued again when the
names change or it nears its end.

Run ``python -m api.court_tls --hosts court.local,10.0.0.5`` to create them by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".data" / "tls"
DEFAULT_HOSTS = ("localhost", "127.0.0.1")
CA_DAYS = 3650
SERVER_DAYS = 397
"""Apple's and Chromium's limit for a server certificate's life (it applies to private
authorities a user installed on iOS, too)."""
RENEW_DAYS = 30


@dataclass(frozen=True)
class CourtTls:
    """Where the files are: the server's certificate chain and key, and the authority's
    certificate the phones install."""

    cert_file: Path
    key_file: Path
    ca_file: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _authority(directory: Path, court_name: str) -> tuple[x509.Certificate,
                                                           ec.EllipticCurvePrivateKey]:
    ca_file, ca_key_file = directory / "ca.crt", directory / "ca.key"
    if ca_file.is_file() and ca_key_file.is_file():
        cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
        key = serialization.load_pem_private_key(ca_key_file.read_bytes(), None)
        if isinstance(key, ec.EllipticCurvePrivateKey) and cert.not_valid_after_utc > _now():
            return cert, key
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, court_name),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{court_name} Gridwork CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(hours=1))
            .not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                         crl_sign=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(ca_key_file, _key_pem(key))
    ca_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _current(cert_file: Path, ca: x509.Certificate, hosts: list[str]) -> bool:
    if not cert_file.is_file():
        return False
    cert = x509.load_pem_x509_certificates(cert_file.read_bytes())[0]
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return (cert.issuer == ca.subject and set(names) == set(_names(hosts))
            and cert.not_valid_after_utc - _now() > dt.timedelta(days=RENEW_DAYS))


def ensure(hosts: list[str] | tuple[str, ...] = DEFAULT_HOSTS, directory: Path = DEFAULT_DIR,
           court_name: str = "Court") -> CourtTls:
    """The private authority (created once) and a server certificate for ``hosts``, issued
    again only when the names changed or it ends within a month."""
    hosts = [h.strip() for h in hosts if h.strip()]
    if not hosts:
        raise ValueError("TLS_HOSTS names no host")
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _authority(directory, court_name)
    cert_file, key_file = directory / "server.crt", directory / "server.key"
    if not (_current(cert_file, ca, hosts) and key_file.is_file()):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
                .issuer_name(ca.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(_now() - dt.timedelta(hours=1))
                .not_valid_after(_now() + dt.timedelta(days=SERVER_DAYS))
                .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                               critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    ca_key.public_key()), critical=False)
                .sign(ca_key, hashes.SHA256()))
        _write_private(key_file, _key_pem(key))
        # The chain: the server's certificate, then the authority's.
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                              + ca.public_bytes(serialization.Encoding.PEM))
    return CourtTls(cert_file, key_file, directory / "ca.crt")


def spki_sha256(cert_file: Path) -> str:
    """The base64 SHA-256 of the first certificate's public key (what Chromium's
    ``--ignore-certificate-errors-spki-list`` and certificate pinning name)."""
    import base64

    cert = x509.load_pem_x509_certificates(cert_file.read_bytes())[0]
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", default=",".join(DEFAULT_HOSTS),
                        help="comma-separated host names and IP addresses phones use")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--court", default="Court", help="the court's name in the authority")
    args = parser.parse_args()
    tls = ensure(args.hosts.split(","), args.dir, args.court)
    print(f"server certificate: {tls.cert_file}\nserver key: {tls.key_file}\n"
          f"authority to install on the phones: {tls.ca_file}")


if __name__ == "__main__":
    main()
