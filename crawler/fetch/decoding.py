"""Content codings of a response body, decoded incrementally under a cap (``BodyDecoder``).

httpx decodes a body chunk by chunk but each chunk *whole*: a 1 MB chunk of
``Content-Encoding: gzip, gzip`` unpacks to gigabytes before any size check can run. Here
every coding is one bounded stage: a stage never produces more than the bytes the cap still
allows (zlib and brotli with an output limit; zstd fed in slices small enough that one call
cannot outgrow the cap by much, with the window limited to RFC 9659's 8 MiB), so memory
stays within a few times the cap whatever the stacking. The cap counts *decoded* bytes.

Codings (RFC 9110 section 8.4): ``gzip``/``x-gzip`` (several members allowed), ``deflate``
(zlib-wrapped, or raw deflate as some servers send it), ``br`` (the ``brotli`` package, the one
httpx uses), ``zstd`` (the ``zstandard`` package), ``identity``. A coding not in that list, a
library not installed, more than ``MAX_CODINGS`` codings or corrupt data raise
``DecodingError``; more decoded bytes than the cap raise ``TooLarge`` carrying what was
decoded up to the cap.

One job: undo content codings. May import the standard library (brotli and zstandard
lazily); nothing of govscan.
"""

from __future__ import annotations

import zlib

MAX_CODINGS = 4  # more stacked codings than this is no real server's doing
ZSTD_SLICE = 32  # input bytes per zstd call: about 1 MiB out per call at most
ZSTD_MAX_WINDOW = 8 * 1024 * 1024  # RFC 9659: HTTP zstd windows are at most 8 MiB


class DecodingError(Exception):
    """The body's content coding is unknown, unsupported here, or its data is corrupt."""


class TooLarge(Exception):
    """More decoded bytes than the cap; ``.partial`` holds the decoded bytes up to it."""

    def __init__(self, partial: bytes):
        super().__init__("decoded body larger than the cap")
        self.partial = partial


def _brotli():
    try:
        import brotli  # the brotli package
    except ImportError:
        return None
    return brotli


def _zstd():
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def supported_codings() -> list[str]:
    """The codings this machine can decode, for ``Accept-Encoding``."""
    out = ["gzip", "deflate"]
    if _brotli() is not None:
        out.append("br")
    if _zstd() is not None:
        out.append("zstd")
    return out


def parse_codings(header: str) -> list[str]:
    """The codings of a ``Content-Encoding`` header in the order they were applied
    (``identity`` and empty items dropped)."""
    return [c for c in (p.strip().lower() for p in (header or "").split(","))
            if c and c != "identity"]


class _Zlib:
    def __init__(self, kind: str):
        self.kind = kind
        self.wbits = 16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS
        self.d = zlib.decompressobj(self.wbits)
        self.started = False  # some input was decoded
        self.head = b""  # "deflate": the input until the zlib header proved right (or not)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; at most ``room + 1`` bytes come out (one more means: over)."""
        fresh = self.kind == "deflate" and len(self.head) < 2  # the zlib header not checked
        if fresh:
            self.head += data  # replayed as raw deflate if the zlib header is wrong
        out = []
        n = 0
        while data:
            try:
                chunk = self.d.decompress(data, room + 1 - n)
            except zlib.error as exc:
                if self.kind == "deflate" and fresh:
                    # RFC 9110 says zlib-wrapped; some servers send raw deflate (zlib
                    # rejects a wrong header within its first two bytes)
                    self.kind, self.wbits = "raw-deflate", -zlib.MAX_WBITS
                    self.d = zlib.decompressobj(self.wbits)
                    data, self.head = self.head, b""
                    continue
                raise DecodingError(f"{self.kind} data is corrupt: {exc}") from None
            self.started = True
            out.append(chunk)
            n += len(chunk)
            if n > room:
                break
            if self.d.unconsumed_tail:
                data = self.d.unconsumed_tail
                continue
            if self.d.eof and self.d.unused_data and self.kind == "gzip":
                rest = self.d.unused_data
                if rest[:2] != b"\x1f\x8b":
                    break  # padding or junk after the last member: ignored, as browsers do
                self.d = zlib.decompressobj(self.wbits)  # a further gzip member
                data = rest
                continue
            break
        return b"".join(out)

    def finish(self) -> None:
        if not self.d.eof and self.started:
            raise DecodingError(f"{self.kind} data ends before the end of its stream")


class _Brotli:
    kind = "br"

    def __init__(self):
        self.d = _brotli().Decompressor()
        self.started = False

    def feed(self, data: bytes, room: int) -> bytes:
        err = _brotli().error
        self.started = True
        try:
            out = self.d.process(data, output_buffer_limit=room + 1)
            parts, n = [out], len(out)
            while n <= room and not self.d.can_accept_more_data():
                more = self.d.process(b"", output_buffer_limit=room + 1 - n)
                if not more:
                    break
                parts.append(more)
                n += len(more)
        except err as exc:
            raise DecodingError(f"br data is corrupt: {exc}") from None
        return b"".join(parts)

    def finish(self) -> None:
        if self.started and not self.d.is_finished():
            raise DecodingError("br data ends before the end of its stream")


class _Zstd:
    kind = "zstd"

    def __init__(self):
        zstd = _zstd()
        self.error = zstd.ZstdError
        self.d = zstd.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).decompressobj(
            read_across_frames=True)

    def feed(self, data: bytes, room: int) -> bytes:
        parts, n = [], 0
        view = memoryview(data)
        try:
            for i in range(0, len(view), ZSTD_SLICE):
                out = self.d.decompress(view[i:i + ZSTD_SLICE].tobytes())
                parts.append(out)
                n += len(out)
                if n > room:
                    break
        except self.error as exc:
            raise DecodingError(f"zstd data is corrupt: {exc}") from None
        return b"".join(parts)

    def finish(self) -> None:
        pass


def _stage(coding: str):
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if coding == "deflate":
        return _Zlib("deflate")
    if coding == "br":
        if _brotli() is None:
            raise DecodingError("br (brotli) is not installed here")
        return _Brotli()
    if coding == "zstd":
        if _zstd() is None:
            raise DecodingError("zstd (zstandard) is not installed here")
        return _Zstd()
    raise DecodingError(f"unknown content coding {coding!r}")


class BodyDecoder:
    """Undo the codings of ``Content-Encoding: <header>``, at most ``cap`` decoded bytes:
    ``feed(raw)`` returns the newly decoded bytes, ``finish()`` checks the streams ended.
    Each stage's output is bounded by what the cap still allows (see the module doc)."""

    def __init__(self, header: str, cap: int):
        codings = parse_codings(header)
        if len(codings) > MAX_CODINGS:
            raise DecodingError(f"{len(codings)} stacked content codings "
                                f"(more than {MAX_CODINGS}): {header!r}")
        self.codings = codings
        self.stages = [_stage(c) for c in reversed(codings)]  # the last applied goes first
        self.cap = cap
        self.size = 0
        self.parts: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        data = raw
        for st in self.stages[:-1]:
            if not data:
                return
            # an inner stream is never much bigger than what it decodes to: the same room
            room = self.cap - self.size + 65536
            data = st.feed(data, room)
            if len(data) > room:
                raise TooLarge(b"".join(self.parts))
        if self.stages and data:
            data = self.stages[-1].feed(data, self.cap - self.size)
        self._add(data)

    def _add(self, data: bytes) -> None:
        if self.size + len(data) > self.cap:
            self.parts.append(data[:self.cap - self.size])
            self.size = self.cap
            raise TooLarge(b"".join(self.parts))
        self.parts.append(data)
        self.size += len(data)

    def finish(self) -> bytes:
        """The whole decoded body; ``DecodingError`` when a stream was cut short."""
        for st in self.stages:
            st.finish()
        return b"".join(self.parts)
