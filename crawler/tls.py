"""TLS facts of an https endpoint: does the certificate validate, and which certificate is it.

Two handshakes: one with the normal trust store (chain, host name, dates - the verdict), one
without verification to read the certificate actually served (so an auditor sees *which*
expired or foreign certificate it was). Only called for hosts the fetcher already contacted
(so the SSRF guard has been applied to them).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl

from .artifacts import TLSInfo


def _name(n) -> str:
    try:
        return n.rfc4514_string()
    except Exception:  # noqa: BLE001
        return str(n)


def cert_facts(der: bytes) -> dict:
    """Subject, issuer, SANs and validity dates of a DER certificate."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans = [str(v) for v in san.get_values_for_type(x509.DNSName)] + \
               [str(v) for v in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        sans = []
    nb = getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before
    na = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after
    return {
        "subject": _name(cert.subject), "issuer": _name(cert.issuer), "sans": sans,
        "not_before": nb.isoformat(), "not_after": na.isoformat(),
        "self_signed": cert.subject == cert.issuer,
    }


async def _handshake(ip: str, port: int, host: str, ctx: ssl.SSLContext, timeout: float):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(ip, port, ssl=ctx, server_hostname=host), timeout)
    try:
        sslobj = writer.get_extra_info("ssl_object")
        return sslobj.getpeercert(binary_form=True), sslobj.version(), \
            (sslobj.cipher() or ("",))[0]
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 2)
        except Exception:  # noqa: BLE001
            pass


async def inspect_tls(host: str, port: int, verify_ctx: ssl.SSLContext, ip: str = "",
                      timeout: float = 10.0) -> TLSInfo | None:
    """TLSInfo for ``host:port`` (connecting to ``ip`` when given). None when no TLS
    handshake is possible at all (nothing listening, not TLS)."""
    target = ip or host
    verified, error = True, ""
    try:
        await _handshake(target, port, host, verify_ctx, timeout)
    except ssl.SSLCertVerificationError as exc:
        verified, error = False, exc.verify_message or str(exc)
    except (ssl.SSLError, OSError, asyncio.TimeoutError) as exc:
        verified, error = False, f"TLS handshake failed: {exc!r}"
    loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    loose.check_hostname = False
    loose.verify_mode = ssl.CERT_NONE
    try:
        der, version, cipher = await _handshake(target, port, host, loose, timeout)
    except (ssl.SSLError, OSError, asyncio.TimeoutError):
        if verified:
            return TLSInfo(verified=True)
        return TLSInfo(verified=False, verify_error=error) if "handshake" not in error \
            else None
    facts = cert_facts(der) if der else {}
    return TLSInfo(verified=verified, verify_error=error, version=version or "",
                   cipher=cipher or "", **facts)


def days_left(info: TLSInfo, today: dt.date | None = None) -> int | None:
    return info.days_left(today or dt.date.today())
