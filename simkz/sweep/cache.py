"""Scenarios with overrides, loaded once per process: a replication set or a sweep loads each point once.

:func:`load_point` reads a scenario file (its ``extends:`` chain merged), applies overrides to the
document, validates it and binds it to its topology. Loaded topologies and scenarios are kept per
process, by path, and used again only while every file they were read from has the same content
(SHA-256), so a file edited meanwhile is read again. Thread-safe (a Dask worker may run threads).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from simkz.inputs import InputDocument, read_document
from simkz.resources import find_topology
from simkz.scenario.load import Scenario, load_scenario
from simkz.sweep.overrides import Override, apply_overrides
from simkz.topology.load import load_topology
from simkz.topology.network import Topology

__all__ = ["clear", "load_point"]

#: Most scenarios (points) kept per process.
MAX_SCENARIOS = 16
#: Most topologies kept per process.
MAX_TOPOLOGIES = 4


class _Loaded(Protocol):
    @property
    def files(self) -> tuple[tuple[Path, str], ...]: ...


V = TypeVar("V", bound=_Loaded)


class _Cache(Generic[V]):
    """At most ``limit`` values by key, least recently used dropped first; a value whose files changed is a miss."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.values: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        with self.lock:
            hit = self.values.get(key)
            if hit is not None:
                self.values.move_to_end(key)
        return hit if hit is not None and _unchanged(hit.files) else None

    def put(self, key: str, value: V) -> None:
        with self.lock:
            self.values[key] = value
            self.values.move_to_end(key)
            while len(self.values) > self.limit:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


_scenarios: _Cache[Scenario] = _Cache(MAX_SCENARIOS)
_topologies: _Cache[Topology] = _Cache(MAX_TOPOLOGIES)


def _unchanged(files: Sequence[tuple[Path, str]]) -> bool:
    """Whether every file still holds what it held when it was read."""
    try:
        return all(hashlib.sha256(Path(p).read_bytes()).hexdigest() == digest for p, digest in files)
    except OSError:
        return False


def _topology(ref: object, relative_to: Path) -> Topology | None:
    """The topology ``ref`` names, loaded once per process; None when it cannot be found (the scenario's
    loader then reports it)."""
    if not isinstance(ref, str):
        return None
    path = find_topology(ref, relative_to=relative_to)
    if path is None:
        return None
    key = str(path.resolve())
    topology = _topologies.get(key)
    if topology is None:
        topology = load_topology(path)
        _topologies.put(key, topology)
    return topology


def load_point(path: Path | str, overrides: Sequence[Override] = (), origin: str = "--set") -> Scenario:
    """The scenario at ``path`` with ``overrides`` applied to its document, validated and bound.

    Raises :class:`~simkz.errors.InputError` for a bad file, a key path that leads nowhere (naming
    ``origin``) or an overridden value the schema refuses (naming the file and the key path).
    """
    path = Path(path)
    key = json.dumps([str(path.resolve()), list(overrides)], sort_keys=True, default=str)
    hit = _scenarios.get(key)
    if hit is not None:
        return hit
    doc = read_document(path)
    if overrides:
        doc = InputDocument(doc.path, apply_overrides(doc.data, overrides, origin), doc.files, doc.warnings)
    topology = _topology(doc.data.get("topology"), path.parent)
    scenario = load_scenario(path, topology=topology, document=doc)
    _scenarios.put(key, scenario)
    return scenario


def clear() -> None:
    """Forget every loaded scenario and topology (tests)."""
    _scenarios.clear()
    _topologies.clear()
