"""What a simulated host answers: scripted `Reply`s, the `Fault`s they carry, and how each goes on the wire.

A `Reply` is data (status, body, headers, latency, a fault); `write_reply` is the one place that turns it
into bytes on a connection, so a fault's description and its behaviour sit side by side. The bodies are
real: `image_bytes` gives genuine 1x1 images (a checker that sniffs content sees an image), `gzip_bomb`
a real gzip stream that inflates to 1 GiB. The server that hands replies out is `linkaudit.demo.simweb`.
"""

from __future__ import annotations

import asyncio
import functools
import http
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from html import escape

__all__ = [
    "GZIP_BOMB_INFLATED_SIZE",
    "Fault",
    "Reply",
    "gzip_bomb",
    "image_bytes",
    "reason_phrase",
    "write_reply",
]

_HUGE_HEADERS_SIZE = 100 * 1024

#: What the body of `Reply.gzip_bomb()` inflates to.
GZIP_BOMB_INFLATED_SIZE = 1 << 30


class Fault(StrEnum):
    """Ways a reply misbehaves on the wire, each met in the wild."""

    #: The whole response, status line included, at `Reply.rate` bytes per second (defeats read timeouts).
    TRICKLE = "trickle"
    #: Status line and headers at once, then the body at `Reply.rate` bytes per second.
    TRICKLE_BODY = "trickle-body"
    #: Part of the status line and headers, then the connection closes.
    CLOSE_MID_HEADERS = "close-mid-headers"
    #: A status line no HTTP parser accepts, then the connection closes.
    MALFORMED_STATUS = "malformed-status"
    #: More than 100 KiB of response headers before an otherwise normal response.
    HUGE_HEADERS = "huge-headers"


@dataclass(frozen=True, slots=True)
class Reply:
    """One scripted answer.

    `latency` (seconds) replaces the host's latency when set. A HEAD gets `head` instead when set (e.g.
    `Reply(405)` for a server that refuses HEAD), and never a body unless `send_body_to_head`, which
    mimics a broken server. `head_advances=False` keeps a HEAD answered by this reply from moving the
    path on to its next reply, so that a scripted step is kept for the GET that follows.
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    latency: float | None = None
    head: Reply | None = None
    send_body_to_head: bool = False
    head_advances: bool = True
    fault: Fault | None = None
    #: Bytes per second, for the trickle faults.
    rate: float = 1.0

    @classmethod
    def html(cls, text: str, *, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        """An HTML page; a text without markup is wrapped in a minimal document."""
        if not text.lstrip().startswith("<"):
            safe = escape(text)
            text = f"<!doctype html><html><head><title>{safe}</title></head><body><p>{safe}</p></body></html>"
        return cls(status, text.encode("utf-8"), headers=dict(headers or {}))

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Reply:
        return cls(
            status,
            f'<!doctype html><html><body><a href="{location}">Moved</a></body></html>'.encode(),
            headers={"Location": location},
        )

    @classmethod
    def image(cls, kind: str = "png") -> Reply:
        """A real, tiny image (1x1 pixel) of `kind` png, jpeg or gif, with its content type."""
        kind = "jpeg" if kind.lower() == "jpg" else kind.lower()
        return cls(200, image_bytes(kind), content_type=f"image/{kind}")

    @classmethod
    def trickle(cls, rate: float = 1.0, *, body: bytes | None = None, head_first: bool = False) -> Reply:
        """A 200 dripping out at `rate` bytes per second; with `head_first`, only its body drips."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        page = body if body is not None else b"<!doctype html><p>" + b"slow " * 2000 + b"</p>"
        return cls(200, page, fault=Fault.TRICKLE_BODY if head_first else Fault.TRICKLE, rate=rate)

    @classmethod
    def close_mid_headers(cls) -> Reply:
        return cls(200, b"never sent", fault=Fault.CLOSE_MID_HEADERS)

    @classmethod
    def malformed_status(cls) -> Reply:
        return cls(200, fault=Fault.MALFORMED_STATUS)

    @classmethod
    def huge_headers(cls) -> Reply:
        return cls(200, b"<!doctype html><p>fine, after all those headers</p>", fault=Fault.HUGE_HEADERS)

    @classmethod
    def gzip_bomb(cls) -> Reply:
        """About 1 MB of gzip that inflates to 1 GiB of zeros, labelled as a gzip-encoded page."""
        return cls(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})

    @classmethod
    def partial(cls, body: bytes | None = None, *, total: int | None = None) -> Reply:
        """A 206 with `Content-Range`, as servers that ignore (or invent) a Range request send."""
        part = body if body is not None else b"<!doctype html><p>" + b"part " * 200
        whole = total if total is not None else len(part) * 4
        return cls(206, part, headers={"Content-Range": f"bytes 0-{len(part) - 1}/{whole}"})


def reason_phrase(status: int) -> str:
    """The status line's reason for `status` ("Unknown" for a code HTTP does not name)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _response_head(reply: Reply, *, body_length: int, keep_alive: bool) -> bytes:
    given = {name.lower() for name in reply.headers}
    lines = [f"HTTP/1.1 {reply.status} {reason_phrase(reply.status)}"]
    if "server" not in given:
        lines.append("Server: simweb")
    if not (reply.status < 200 or reply.status in (204, 304)):
        if reply.content_type and "content-type" not in given:
            lines.append(f"Content-Type: {reply.content_type}")
        if "content-length" not in given:
            lines.append(f"Content-Length: {body_length}")
    if not keep_alive and "connection" not in given:
        lines.append("Connection: close")
    lines.extend(f"{name}: {value}" for name, value in reply.headers.items())
    if reply.fault is Fault.HUGE_HEADERS:
        filler = "x" * 100
        lines.extend(f"X-Padding-{i:04d}: {filler}" for i in range(_HUGE_HEADERS_SIZE // len(filler) + 1))
    # Real servers put raw UTF-8 in headers (a Location with Chinese in it); ASCII is unaffected.
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def _trickle(writer: asyncio.StreamWriter, data: bytes, rate: float) -> None:
    step = max(1, int(rate / 20))  # about 20 writes a second, never less than a byte
    for i in range(0, len(data), step):
        writer.write(data[i : i + step])
        await writer.drain()  # raises once the client has gone
        await asyncio.sleep(step / rate)


async def write_reply(
    writer: asyncio.StreamWriter, reply: Reply, *, head_only: bool, keep_alive: bool
) -> bool:
    """Write `reply`; returns whether the connection can carry another request."""
    if reply.fault is Fault.CLOSE_MID_HEADERS:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
        await writer.drain()
        return False
    if reply.fault is Fault.MALFORMED_STATUS:
        writer.write(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        return False
    bodyless = reply.status < 200 or reply.status in (204, 304)
    body = b"" if bodyless or (head_only and not reply.send_body_to_head) else reply.body
    head = _response_head(reply, body_length=len(reply.body), keep_alive=keep_alive)
    if reply.fault is Fault.TRICKLE:
        await _trickle(writer, head + body, reply.rate)
    elif reply.fault is Fault.TRICKLE_BODY:
        writer.write(head)
        await _trickle(writer, body, reply.rate)
    else:
        writer.write(head + body)
        await writer.drain()
    return keep_alive


# Real image bytes, so a checker that sniffs content (not just Content-Type) sees a genuine image.


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _tiny_png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00" + b"\x2e\x8b\x57")  # filter byte, one sea-green pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def _tiny_jpeg() -> bytes:
    """A baseline JPEG, 1x1 grey: one 8x8 block whose coefficients are all zero. Both Huffman tables
    hold a single 1-bit code "0" (DC difference 0, AC end-of-block), so the scan is the bits 00, padded
    with ones: 0x3F."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15)
    return b"".join(
        [
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xDB, b"\x00" + b"\x01" * 64),
            segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
            segment(0xC4, b"\x00" + one_code + b"\x00"),
            segment(0xC4, b"\x10" + one_code + b"\x00"),
            segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            b"\x3f",
            b"\xff\xd9",
        ]
    )


_TINY_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@functools.cache
def image_bytes(kind: str = "png") -> bytes:
    """A real 1x1 image: `kind` is png, jpeg (or jpg) or gif."""
    kind = kind.lower()
    if kind == "png":
        return _tiny_png()
    if kind in ("jpeg", "jpg"):
        return _tiny_jpeg()
    if kind == "gif":
        return _TINY_GIF
    raise ValueError(f"no tiny image of kind {kind!r} (png, jpeg, gif)")


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB of gzip that inflates to `GZIP_BOMB_INFLATED_SIZE` zeros; built once, in half a second.

    Compressing 1 GiB would take seconds. After a full flush a deflate stream forgets its history, so
    compressing 1 MiB of zeros and flushing yields a self-contained piece that can simply be repeated;
    only the CRC needs the whole length.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: we write the gzip framing
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last_block = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(GZIP_BOMB_INFLATED_SIZE // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no mtime, unknown OS
    trailer = struct.pack("<II", crc, GZIP_BOMB_INFLATED_SIZE & 0xFFFFFFFF)
    return header + piece * (GZIP_BOMB_INFLATED_SIZE // len(chunk)) + last_block + trailer
