"""TLS facts of an https response (``crawler.artifacts.TLSInfo``).

Read from the live, verified connection (``tls_from_ssl_object``) or, when the certificate
does not validate, from the DER certificate a second non-verifying handshake read
(``tls_from_der``; the fetcher does that handshake).

One job: certificate and protocol facts. May import the standard library, cryptography
(lazily) and ``crawler.artifacts``.
"""

from __future__ import annotations

import ssl

from ..artifacts import TLSInfo


def tls_from_ssl_object(obj: ssl.SSLObject) -> TLSInfo | None:
    """TLS facts of a verified live connection (the same fields as ``tls_from_der``)."""
    try:
        der = obj.getpeercert(binary_form=True)
        if not der:
            return None
        info = tls_from_der(der, obj.version() or "", (obj.cipher() or ("",))[0])
    except Exception:  # noqa: BLE001 - facts are best effort
        return None
    info.verified = True
    return info


def tls_from_der(der: bytes, version: str = "", cipher: str = "") -> TLSInfo:
    """Certificate facts from a DER certificate (the non-verifying second handshake)."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = [str(n) for n in san.get_values_for_type(x509.DNSName)] + \
               [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        sans = []
    subject, issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    return TLSInfo(verified=False, version=version, cipher=cipher, subject=subject,
                   issuer=issuer, sans=sans,
                   not_before=cert.not_valid_before_utc.isoformat(timespec="seconds"),
                   not_after=cert.not_valid_after_utc.isoformat(timespec="seconds"),
                   self_signed=subject == issuer)
