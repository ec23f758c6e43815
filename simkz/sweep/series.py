"""A run's time series as one compressed ``.npz`` file: what the bands need, and what ``--resume`` reads back.

For each table of the run (``national``, ``by_region``, ..., ``by_service``) the file holds one float64
array per metric (every numeric column but ``elapsed_h``, in the table's order; counts and flags as
floats): ``<table>/<column>.npy``, one value per row of the table. The key columns (``time``,
``elapsed_h`` and the group columns: ``<table>/keys/<column>.npy``) are the same in every replication of
a scenario, so only the first replication of a set stores them (``with_keys``). The file is a plain zip
that ``numpy.load`` reads (``numpy.load(path)["national/connectivity_index_pct"]``); its bytes depend only
on the values (fixed member times and order, deflate level 1), so equal runs give equal files. A
member per metric lets the bands read a few metrics of a thousand runs at a time without inflating the
others.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.run import TABLES
from simkz.results.table import Table

__all__ = ["KEY_COLUMNS", "SeriesFile", "encode_series", "is_key"]

#: Columns that say where a row is rather than what was measured (with the text columns: region, service...).
KEY_COLUMNS = ("time", "elapsed_h")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip member can carry: no wall clock in the file
_LEVEL = 1  # fastest deflate: the series are steps and repeat a lot (about 20 times smaller at level 1)
_KEYS = "/keys/"
#: A zip member's local header: signature, version, flags, method, time, date, CRC, sizes, name and extra lengths.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def is_key(table: Table, column: str) -> bool:
    """Whether ``column`` of ``table`` locates a row (time, elapsed hours, a group or service name)."""
    return column in KEY_COLUMNS or table[column].dtype.kind in "US"


def _member(zf: zipfile.ZipFile, name: str, array: NDArray[np.generic]) -> None:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, buf.getvalue(), compresslevel=_LEVEL)


def encode_series(tables: Mapping[str, Table], *, with_keys: bool) -> bytes:
    """The ``.npz`` bytes of a run's tables: the metrics of each, and its key columns if ``with_keys``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in (t for t in TABLES if t in tables):
            table = tables[name]
            for column in table.names:
                if not is_key(table, column):
                    _member(zf, f"{name}/{column}", np.asarray(table[column], dtype=np.float64))
                elif with_keys:
                    _member(zf, f"{name}{_KEYS}{column}", table[column])
    return buf.getvalue()


class SeriesFile:
    """A series file, read one table at a time.

    Members are read straight from the zip's deflate streams (the file is the one :func:`encode_series` wrote,
    read back by simkz): reading the time series of a thousand runs of a country spends its time decompressing,
    and zipfile's CRC check would add half as much again. A damaged member still fails: the stream does not
    inflate, or inflates to another size.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._members: dict[str, zipfile.ZipInfo] | None = None  # the zip's directory, read once

    def _fail(self, table: str, exc: Exception) -> InputError:
        return InputError(self.path, (table,), f"cannot read the run's series: {exc}", allowed="a file simkz wrote")

    def _directory(self, table: str) -> dict[str, zipfile.ZipInfo]:
        if self._members is None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    self._members = {info.filename.removesuffix(".npy"): info for info in zf.infolist()}
            except (OSError, zipfile.BadZipFile) as exc:
                raise self._fail(table, exc) from None
        return self._members

    def tables(self) -> list[str]:
        """The tables the file holds, in the order of :data:`~simkz.results.run.TABLES`."""
        names = {n.partition("/")[0] for n in self._directory("")}
        return [t for t in TABLES if t in names]

    def metrics(self, table: str) -> list[str]:
        """The metrics of ``table``, in the table's order."""
        prefix = table + "/"
        return [n[len(prefix) :] for n in self._directory(table) if n.startswith(prefix) and n.count("/") == 1]

    def read(self, table: str, metrics: list[str]) -> NDArray[np.float64]:
        """The values of ``metrics`` of ``table``: one row per row of the table, one column per metric."""
        members = self._directory(table)
        try:
            with self.path.open("rb") as fh:
                columns = [_array(fh, members[f"{table}/{m}"]) for m in metrics]
        except (OSError, KeyError, ValueError, zlib.error) as exc:
            raise self._fail(table, exc) from None
        if len({len(c) for c in columns}) > 1 or any(c.ndim != 1 for c in columns):
            raise self._fail(table, ValueError("metrics of different lengths"))
        return np.column_stack(columns) if columns else np.empty((0, 0))

    def keys(self, table: str) -> dict[str, NDArray[np.generic]]:
        """The key columns of ``table`` (only the first replication of a set has them)."""
        prefix = table + _KEYS
        members = self._directory(table)
        try:
            with self.path.open("rb") as fh:
                keys = {n[len(prefix) :]: _array(fh, info) for n, info in members.items() if n.startswith(prefix)}
        except (OSError, ValueError, zlib.error) as exc:
            raise self._fail(table, exc) from None
        if not keys:
            raise self._fail(table, ValueError("no key columns (only the first replication of a set has them)"))
        return keys


def _array(fh: BinaryIO, info: zipfile.ZipInfo) -> NDArray[Any]:
    """One ``.npy`` member of a zip, inflated without zipfile's CRC pass (read-only, over the inflated bytes)."""
    fh.seek(info.header_offset)
    local = fh.read(_LOCAL_HEADER.size)
    signature, *_, name_length, extra_length = _LOCAL_HEADER.unpack(local)
    if signature != b"PK\x03\x04":
        raise ValueError(f"no zip member at {info.filename}")
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    raw = fh.read(info.compress_size)
    data = zlib.decompress(raw, -zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else raw
    if len(data) != info.file_size:
        raise ValueError(f"{info.filename} inflates to {len(data)} bytes, not {info.file_size}")
    buf = io.BytesIO(data)
    version = np.lib.format.read_magic(buf)
    header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = header(buf)
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=buf.tell())
    return array.reshape(shape, order="F" if fortran else "C")
