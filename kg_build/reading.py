"""Bytes → text: encoding detection for gazette files (pure, no file access).

Gazettes arrive as UTF-8, UTF-8 with a BOM, or GB18030/GBK (the superset GB18030
decodes GBK and GB2312 alike); now and then as UTF-16 with a BOM (Windows Notepad's
"Unicode"), which is decoded too. UTF-16 without a BOM is named as such, not "binary". The encoding is detected from the bytes, never
guessed from the file name.
"""
from __future__ import annotations

import codecs

from charset_normalizer import from_bytes


class InputError(ValueError):
    """Bad input: carries the file name and line so the CLI can print file:line: message."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


def _looks_binary(data: bytes) -> int | None:
    """Line number of the first NUL or control byte that text never has, else None."""
    for i, b in enumerate(data[:1 << 20]):
        if b == 0 or (b < 0x20 and b not in (0x09, 0x0A, 0x0D, 0x0C)):
            return data[:i].count(b"\n") + 1
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'little-endian' or 'big-endian' if the bytes read as UTF-16 text: NULs at most odd (or
    even) places, as ASCII and line breaks give, and the whole decoding as text."""
    head = data[:4096] if len(data) % 2 == 0 else data[:4096] + b"\0"
    even, odd = head[0::2].count(0), head[1::2].count(0)
    order = "little-endian" if odd > 4 * even + 2 else "big-endian" if even > 4 * odd + 2 else None
    if order is None:
        return None
    try:
        text = data.decode("utf-16-le" if order == "little-endian" else "utf-16-be")
    except UnicodeDecodeError:
        return None
    return order if not any(ch < " " and ch not in "\t\n\r\f" for ch in text[:2048]) else None


def decode_gazette(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode a gazette file's bytes; return (text, encoding name).

    >>> decode_gazette("许政〔2020〕7号".encode("gb18030"), source="x")[0]
    '许政〔2020〕7号'
    """
    if not data.strip():
        raise InputError(source, 1, "the file is empty; expected the text of a gazette issue")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8", source), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", source), "utf-16"
    bad = _looks_binary(data)
    if bad is not None:
        if (order := _utf16_without_bom(data)) is not None:
            raise InputError(source, 1, f"this looks like UTF-16 ({order}) without a byte-order mark; "
                                        "expected UTF-8, GB18030, or UTF-16 with a BOM: save it as UTF-8")
        raise InputError(source, bad, "this looks like a binary file; expected plain text (UTF-8 or GB18030)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Not UTF-8: the Chinese legacy encodings are the only ones a gazette uses; GB18030
    # is a strict superset of GBK and GB2312. charset-normalizer confirms it is Chinese
    # text rather than, say, Latin-1 bytes that happen to decode.
    best = from_bytes(data).best()
    if best is not None and best.encoding.replace("_", "").lower() in {"gb18030", "gbk", "gb2312", "hz"}:
        return _strict(data, "gb18030", source), "gb18030"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(source, line, "cannot decode the text: expected UTF-8 or GB18030/GBK") from None
    if sum("\u4e00" <= ch <= "\u9fff" for ch in text) < len(text) * 0.05:
        raise InputError(source, 1, "the text is neither UTF-8 nor Chinese GB18030/GBK")
    return text, "gb18030"


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(source, line, f"invalid {encoding} byte sequence") from None
