"""What the figures draw, read from a results folder: tables, summary, phases, network and its states.

A :class:`ResultsFolder` is a run as its folder holds it (:func:`load_results`: read through
:class:`~simkz.results.run.RunResult` and :mod:`simkz.results.network`), or, while ``simkz run`` saves a
folder, the same run in memory (:meth:`ResultsFolder.of`). Figures take one, never a running simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import NDArray

from simkz.errors import InputError
from simkz.results.network import NETWORK_FILE, STATES_FILE, NetworkMap, Phase, StateLog
from simkz.results.run import RunResult
from simkz.results.table import Table

__all__ = ["ResultsFolder", "load_results"]


@dataclass
class ResultsFolder:
    """A run's results, as figures read them (``path``: its folder, for messages; None for a run in memory)."""

    result: RunResult
    path: Path | None = None

    @classmethod
    def of(cls, result: RunResult, folder: Path | None = None) -> ResultsFolder:
        return cls(result=result, path=folder)

    @property
    def name(self) -> str:
        return self.result.name

    @property
    def summary(self) -> dict[str, Any]:
        return self.result.summary

    def has(self, table: str) -> bool:
        return table in self.result.tables

    def table(self, name: str) -> Table:
        """A time series table; :class:`InputError` if the folder lacks it."""
        if name not in self.result.tables:
            raise InputError(
                self._file(f"{name}.csv"), (), "missing table: the figure needs it", allowed=f"a folder with {name}.csv"
            )
        return self.result.tables[name]

    def _file(self, name: str) -> Path | None:
        return None if self.path is None else self.path / name

    # --- the network files (None or empty for a folder of an older version) -----------------------------------

    @property
    def phases(self) -> tuple[Phase, ...]:
        record = self.result.network
        return record.phases if record is not None else ()

    @property
    def network(self) -> NetworkMap | None:
        record = self.result.network
        return record.network if record is not None else None

    @property
    def states(self) -> StateLog | None:
        record = self.result.network
        return record.states if record is not None else None

    def require_network(self) -> tuple[NetworkMap, StateLog]:
        """The network map and its state log; :class:`InputError` if the folder has none."""
        record = self.result.network
        if record is None:
            raise InputError(
                self._file(NETWORK_FILE),
                (),
                "file not found: the network figure needs it",
                allowed=f"a folder of `simkz run` with {NETWORK_FILE} and {STATES_FILE}",
            )
        return record.network, record.states

    def phases_at(self, hour: float) -> list[Phase]:
        """The phases in force at ``hour`` since the start (start included, end excluded), one per label."""
        seen: dict[str, Phase] = {}
        for p in self.phases:
            if p.start_elapsed_h <= hour < p.end_elapsed_h and p.label not in seen:
                seen[p.label] = p
        return list(seen.values())

    # --- time ---------------------------------------------------------------------------------------------------

    @cached_property
    def start(self) -> datetime:
        """The run's start instant, with the scenario's UTC offset."""
        text = self.summary.get("scenario", {}).get("start")
        national = self.result.tables.get("national")
        if text is None and national is not None and len(national):
            text = str(national["time"][0])
        try:
            return datetime.fromisoformat(str(text))
        except ValueError:
            where = self._file("summary.json")
            raise InputError(where, ("scenario", "start"), "no start instant", value=text) from None

    @cached_property
    def duration_h(self) -> float:
        """The run's length, hours."""
        value = self.summary.get("scenario", {}).get("duration_h")
        if isinstance(value, int | float):
            return float(value)
        national = self.result.tables.get("national")
        return float(national["elapsed_h"][-1]) if national is not None and len(national) else 0.0

    @cached_property
    def zone(self) -> tzinfo:
        """The zone times are shown in: the scenario's IANA zone (``network.json``), else the start's offset."""
        name = self.network.timezone if self.network is not None else None
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        zone = self.start.tzinfo
        assert zone is not None  # fromisoformat of a results folder's instant keeps its offset
        return zone

    @property
    def zone_label(self) -> str:
        """``Asia/Almaty, UTC+06:00``: the zone's name, when known, and its offset at the start."""
        offset = self.start.astimezone(self.zone).strftime("%z")
        utc = f"UTC{offset[:3]}:{offset[3:]}"
        name = self.network.timezone if self.network is not None else None
        return f"{name}, {utc}" if name else utc

    def instant(self, hour: float) -> datetime:
        """The instant ``hour`` hours after the start, in the folder's zone."""
        return (self.start + timedelta(hours=hour)).astimezone(self.zone)

    def hour_of(self, when: datetime) -> float:
        """Hours since the start of the aware instant ``when``."""
        return (when - self.start).total_seconds() / 3600.0

    def date_numbers(self, hours: NDArray[np.float64] | Sequence[float]) -> NDArray[np.float64]:
        """matplotlib date numbers (days since 1970-01-01 UTC) of ``hours`` since the start."""
        return self.start.timestamp() / 86400.0 + np.asarray(hours, dtype=np.float64) / 24.0


def load_results(folder: Path | str) -> ResultsFolder:
    """Read a results folder of ``simkz run``; :class:`InputError` if it is not one."""
    folder = Path(folder)
    return ResultsFolder(result=RunResult.load(folder), path=folder)
