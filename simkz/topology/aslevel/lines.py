"""Text input files line by line, plain or compressed (``.gz``, ``.bz2``), with their line numbers.

Errors (a missing file, bad compression, bytes that are not UTF-8, more than :data:`MAX_TEXT_BYTES` once
decompressed) are :class:`~simkz.errors.InputError` naming the file and, where there is one, the line.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from simkz.errors import InputError

__all__ = ["ASN_MAX", "MAX_TEXT_BYTES", "parse_asn", "read_lines", "sha256_of"]

#: Most bytes read from one file once decompressed (1 GiB: a limit, far above any AS-relationship file).
MAX_TEXT_BYTES = 1 << 30
#: Largest AS number (32 bits; RFC 6793).
ASN_MAX = 2**32 - 1


def _open(path: Path) -> IO[bytes]:
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if suffix == ".bz2":
        return cast(IO[bytes], bz2.open(path, "rb"))
    return path.open("rb")


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text without its line break)`` for every line of ``path`` (decompressed by its extension)."""
    if not path.is_file():
        raise InputError(path, (), "file not found" if not path.exists() else "not a file")
    total = 0
    number = 0
    try:
        with _open(path) as stream:
            for number, raw in enumerate(stream, start=1):
                total += len(raw)
                if total > MAX_TEXT_BYTES:
                    raise InputError(
                        path, (f"line {number}",), "file too large", allowed=f"at most {MAX_TEXT_BYTES} bytes"
                    )
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise InputError(path, (f"line {number}",), "not UTF-8 text", allowed="a UTF-8 text file") from None
                yield number, text.rstrip("\r\n")
    except (OSError, EOFError, zlib.error) as exc:
        where = (f"line {number + 1}",) if number else ()
        raise InputError(
            path,
            where,
            f"cannot read the file: {exc}",
            allowed="a text file, or one compressed with gzip or bzip2 (.gz, .bz2)",
        ) from None


def sha256_of(path: Path) -> str:
    """SHA-256 of the file as stored (compressed or not)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_asn(text: str, file: Path, line: int, what: str = "AS number") -> int:
    """An AS number written in decimal digits (1 to 4294967295); :class:`InputError` naming the line otherwise."""
    if not text.isascii() or not text.isdigit():
        raise InputError(
            file, (f"line {line}",), f"{what} is not an integer", value=text, allowed="decimal digits, 1 to 4294967295"
        )
    value = int(text) if len(text) <= 12 else ASN_MAX + 1
    if not 1 <= value <= ASN_MAX:
        raise InputError(file, (f"line {line}",), f"{what} out of range", value=text, allowed="1 to 4294967295")
    return value
