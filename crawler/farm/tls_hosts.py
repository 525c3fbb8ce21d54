"""Farm hosts for the TLS cases of the ``https`` probe (after badssl.com's host list).

Each is a ``Profile`` of ``crawler.farm.server`` (one port each); start a farm with
``Farm(profiles=DEFAULT_PROFILES + TLS_PROFILES)``. What they add to the default profiles:

* ``tls`` - the protocol/cipher the port serves: ``modern`` (the default), ``tls1.0`` and
  ``tls1.1`` (only that version, OpenSSL security level 0: Debian's OpenSSL 3 still serves
  them there), ``rsa-kex`` (TLS 1.2 with RSA key exchange only - no forward secrecy, which
  Python's default client, Chrome 131+ and Firefox refuse - on an RSA certificate);
* certificates beyond the trustme ones: ``self-signed-leaf`` (a leaf signed by its own key,
  OpenSSL's "self-signed certificate"), ``no-subject`` (issued by the farm CA with an empty
  subject and a critical SAN, as RFC 5280 allows), ``rsa`` (an RSA leaf from the farm CA);
* HSTS sent as two header fields, either order (only the first counts);
* ``https="redirect-http"``: the https side sends every request to plain http (downgrade).

One job: the TLS side of farm hosts. May import the standard library, trustme and
cryptography.
"""

from __future__ import annotations

import datetime as dt
import ssl
import warnings
from pathlib import Path

from .server import Profile

TLS_PROFILES = (
    Profile("tls1.0", tls="tls1.0"),
    Profile("tls1.1", tls="tls1.1"),
    Profile("tls1.0-expired", cert="expired", tls="tls1.0"),
    Profile("tls1.0-untrusted", cert="self-signed", tls="tls1.0"),
    Profile("rsa-kex", cert="rsa", tls="rsa-kex"),
    Profile("self-signed-leaf", cert="self-signed-leaf"),
    Profile("no-subject", cert="no-subject"),
    Profile("hsts-twice", hsts=("max-age=31536000; includeSubDomains", "max-age=0")),
    Profile("hsts-twice-weak-first", hsts=("max-age=600", "max-age=63072000")),
    Profile("https-to-http", http="serve", https="redirect-http", hsts=""),
)


class PemLeaf:
    """A certificate + key as PEM files, configured like a trustme ``LeafCert``."""

    def __init__(self, cert_path: Path, key_path: Path):
        self.cert_path, self.key_path = cert_path, key_path

    def configure_cert(self, ctx: ssl.SSLContext) -> None:
        ctx.load_cert_chain(str(self.cert_path), str(self.key_path))


def _names(ids):
    import ipaddress

    from cryptography import x509

    out = []
    for i in ids:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(i)))
        except ValueError:
            out.append(x509.DNSName(i))
    return out


def _write(workdir: Path, name: str, cert, key) -> PemLeaf:
    from cryptography.hazmat.primitives import serialization

    c, k = workdir / f"{name}.pem", workdir / f"{name}.key"
    c.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    k.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return PemLeaf(c, k)


def make_leafs(ca, workdir: Path, ids: tuple[str, ...]) -> dict:
    """The certificates of the TLS hosts, issued on ``ids`` (names and addresses); ``ca``
    is the farm's trustme CA."""
    import trustme
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    sans = x509.SubjectAlternativeName(_names(ids))

    def builder(subject, issuer, key):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=10))
                .not_valid_after(now + dt.timedelta(days=200)))

    key = ec.generate_private_key(ec.SECP256R1())
    me = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gov.test")])
    self_signed = builder(me, me, key).add_extension(sans, critical=False) \
        .sign(key, hashes.SHA256())
    key2 = ec.generate_private_key(ec.SECP256R1())
    no_subject = builder(x509.Name([]), ca_cert.subject, key2) \
        .add_extension(sans, critical=True) \
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True) \
        .sign(ca_key, hashes.SHA256())
    # an RSA leaf (RSA key exchange needs an RSA key), issued by the farm CA
    rsa_leaf = ca.issue_cert(*ids, key_type=trustme.KeyType.RSA)
    return {
        "self-signed-leaf": _write(workdir, "self-signed-leaf", self_signed, key),
        "no-subject": _write(workdir, "no-subject", no_subject, key2),
        "rsa": rsa_leaf,
    }


def apply_tls(ctx: ssl.SSLContext, tls: str) -> None:
    """Set the protocol versions and ciphers of a farm server context for ``tls``."""
    if tls in ("tls1.0", "tls1.1"):
        v = ssl.TLSVersion.TLSv1 if tls == "tls1.0" else ssl.TLSVersion.TLSv1_1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = v
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    elif tls == "rsa-kex":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256")
    elif tls != "modern":
        raise ValueError(f"unknown farm tls setting {tls!r}")


def old_tls_served() -> bool:
    """Can the local OpenSSL serve TLS 1.0 at all (security level 0)? Debian's OpenSSL 3
    can; a build without TLS 1.0 cannot, and the tests then stub the fact instead."""
    if not getattr(ssl, "HAS_TLSv1", False):
        return False
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        apply_tls(ctx, "tls1.0")
        return True
    except (ssl.SSLError, ValueError):
        return False
