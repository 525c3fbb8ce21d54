"""TLS facts of an https response (``crawler.artifacts.TLSInfo``).

Read from the live, verified connection (``tls_from_ssl_object``) or, when the fetcher's own
handshake failed, from separate handshakes that only *look* (``handshake_facts``), as TLS
scanners do (sslyze, testssl.sh): a permissive client (TLS 1.0 and up, OpenSSL security
level 0, no verification) learns the protocol version and cipher the server really
negotiates and the certificate it serves. Those connections are closed right after the
handshake: nothing is ever requested or read over them, so a page is only ever fetched
over the fetcher's strict connection.

``failure_of_handshake`` names the real cause of a failed handshake (protocol, key
exchange, certificate - and then which certificate problem), so a report never blames the
certificate for a server that only speaks TLS 1.0.

One job: certificate and protocol facts. May import the standard library, cryptography
(lazily) and ``crawler.artifacts``.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import warnings

from ..artifacts import TLSInfo

OLD_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")  # what modern clients refuse

# OpenSSL X509_V_ERR_* codes (``SSLCertVerificationError.verify_code``) -> the problem
CERT_PROBLEMS = {
    9: "not-yet-valid", 10: "expired", 18: "self-signed", 19: "untrusted",
    2: "untrusted", 20: "untrusted", 21: "untrusted", 27: "untrusted", 28: "untrusted",
    23: "revoked", 62: "wrong-host", 63: "wrong-host", 64: "wrong-host",
    # key or signature below the security level
    66: "weak", 67: "weak", 68: "weak",
}
# OpenSSL reason codes of a failed handshake
_PROTOCOL_REASONS = {"UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION",
                     "NO_PROTOCOLS_AVAILABLE", "WRONG_SSL_VERSION", "VERSION_TOO_LOW",
                     "UNKNOWN_PROTOCOL", "WRONG_VERSION_NUMBER"}
_KEX_REASONS = {"NO_SHARED_CIPHER", "NO_CIPHERS_AVAILABLE", "DH_KEY_TOO_SMALL",
                "INSUFFICIENT_SECURITY", "TLSV1_ALERT_INSUFFICIENT_SECURITY",
                "NO_SUITABLE_KEY_SHARE", "NO_SUITABLE_SIGNATURE_ALGORITHM"}
_WEAK_CERT_REASONS = {"EE_KEY_TOO_SMALL", "CA_KEY_TOO_SMALL", "CA_MD_TOO_WEAK"}


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
    """Certificate facts from a DER certificate (the non-verifying second handshake). A
    certificate without a subject (allowed when its SAN extension names the host) keeps an
    empty ``subject``."""
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
                   self_signed=bool(subject) and subject == issuer)


def exception_chain(exc: BaseException | None):
    """``exc``, then its cause or context, and theirs. aiohttp's TLS errors (themselves
    ``ssl.SSLError``s, but without OpenSSL's reason, verify code and message) stand for the
    OpenSSL error they wrap, so the chain shows OpenSSL's."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "certificate_error", None) or (
            getattr(exc, "os_error", None) if isinstance(exc, ssl.SSLError) else None)
        if isinstance(inner, BaseException) and id(inner) not in seen:
            exc = inner
            continue
        yield exc
        exc = exc.__cause__ or exc.__context__


def cert_problem_of(exc: BaseException | None) -> str:
    """What is wrong with the certificate, from a verification error: OpenSSL's verify code
    (expired, not yet valid, self-signed, untrusted issuer, revoked, wrong host name, key or
    signature too weak); ``""`` when the error is not a certificate verdict."""
    for e in exception_chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            return CERT_PROBLEMS.get(e.verify_code or -1, "other")
        if isinstance(e, ssl.SSLError) and (e.reason or "") in _WEAK_CERT_REASONS:
            return "weak"
    return ""


def failure_of_handshake(exc: BaseException | None, negotiated: str = "") -> str:
    """Why the fetcher's handshake failed: ``certificate`` when OpenSSL rejected the
    certificate; ``protocol`` when the server negotiates only a version below TLS 1.2
    (``negotiated``, from the permissive handshake) or answered with a protocol-version
    alert; ``key-exchange`` when the server offers no cipher or key exchange the fetcher
    accepts (a handshake-failure alert while the permissive client gets TLS >= 1.2, no
    shared cipher, a DH key too small); else ``handshake``."""
    if cert_problem_of(exc):
        return "certificate"
    if negotiated in OLD_PROTOCOLS:
        return "protocol"
    reasons = {e.reason or "" for e in exception_chain(exc) if isinstance(e, ssl.SSLError)}
    if reasons & _PROTOCOL_REASONS:
        return "protocol"
    if reasons & _KEX_REASONS or (negotiated and "SSLV3_ALERT_HANDSHAKE_FAILURE" in reasons):
        return "key-exchange"
    return "handshake"


@functools.lru_cache(maxsize=8)
def permissive_context(verify_with: tuple[str, ...] | None = None) -> ssl.SSLContext:
    """A client context that accepts every protocol version from TLS 1.0 and every cipher
    OpenSSL has (security level 0): for *reading* what a server negotiates, never for a
    request. Without ``verify_with`` it verifies nothing; with it (CA files, plus the
    system store) it checks the certificate chain, dates and host name as usual. Made once
    per set of CA files (loading the trust store costs far more than a handshake)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    try:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except ssl.SSLError:  # an OpenSSL without security levels
        ctx.set_ciphers("ALL")
    ctx.set_alpn_protocols(["http/1.1"])
    if verify_with is None:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.load_default_certs()
        for path in verify_with:
            ctx.load_verify_locations(path)
    return ctx


async def _handshake(ip: str, port: int, host: str, ctx: ssl.SSLContext,
                     timeout: float) -> tuple[str, str, bytes]:
    """Open a TLS connection, read version, cipher and the leaf certificate, close it."""
    async with asyncio.timeout(timeout):
        _reader, writer = await asyncio.open_connection(ip, port, ssl=ctx,
                                                        server_hostname=host)
    try:
        obj = writer.get_extra_info("ssl_object")
        if obj is None:
            return "", "", b""
        return (obj.version() or "", (obj.cipher() or ("",))[0],
                obj.getpeercert(binary_form=True) or b"")
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except Exception:  # noqa: BLE001
            pass


async def handshake_facts(ip: str, port: int, host: str, exc: BaseException | None,
                          why: str, cafiles: list[str], timeout: float) -> TLSInfo:
    """The facts of a server whose verifying handshake (``exc``, message ``why``) failed.

    1. a permissive, non-verifying handshake: the version and cipher the server negotiates
       and the certificate it serves (all fields empty when even that fails);
    2. the cause (``failure_of_handshake``);
    3. when the handshake failed before the certificate was judged (protocol, key
       exchange), a permissive handshake that does verify it (the fetcher's CA files), so
       a TLS 1.0 server with a good certificate is told apart from one with a bad one.
    """
    info = TLSInfo(verified=False, verify_error=why)
    try:
        version, cipher, der = await _handshake(ip, port, host, permissive_context(), timeout)
    except Exception:  # noqa: BLE001 - the server refuses even a permissive client
        version, cipher, der = "", "", b""
    if der:
        try:
            info = tls_from_der(der, version, cipher)
        except Exception:  # noqa: BLE001 - an unreadable certificate: keep the rest
            info = TLSInfo(verified=False, version=version, cipher=cipher)
        info.verify_error = why
    else:
        info.version, info.cipher = version, cipher
    info.failure = failure_of_handshake(exc, version)
    info.cert_problem = cert_problem_of(exc)
    if info.failure in ("protocol", "key-exchange") and der:
        try:
            await _handshake(ip, port, host, permissive_context(tuple(cafiles)), timeout)
            info.verified = True
        except Exception as e:  # noqa: BLE001
            info.cert_problem = cert_problem_of(e)
            if info.cert_problem:
                info.verify_error = f"{why}; the certificate: " + (
                    getattr(e, "verify_message", "") or str(e))
    return info
