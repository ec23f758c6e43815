"""Random failures and their repair: one SimPy process per element that can fail, crews as a ``simpy.Resource``.

Every node and link whose kind has a rate (:class:`~simkz.scenario.failures.FailureSettings`) runs
:func:`element_failures`, a renewal cycle:

1. it works for an **exponential** time with mean MTBF (failures at a constant rate: no wear-out
   or infant mortality over the horizon of a run);
2. it fails: the world marks it down (:meth:`~simkz.engine.processes.World.fail`: a node goes down
   as under a shutdown, a link as under a cut), so routing is computed anew;
3. it asks for one of the ``crews`` (``simpy.Resource(capacity=crews)``: at most that many repairs at
   once; the others wait, first failed first served);
4. a crew repairs it for a **lognormal** time with mean MTTR and standard deviation of its logarithm
   ``repair_sd_log`` (repair times are skewed: most take hours, a few take days, e.g. a cut in a
   remote or flooded place; a lognormal is the usual model of corrective maintenance times, and
   unlike an exponential it gives few near-zero repairs); with ``repair_sd_log: 0`` every repair
   takes exactly the MTTR;
5. it is restored, the crew is released, and the cycle starts again.

Downtime is the wait for a crew plus the repair. Failures happen whatever the actions do, and a
failed element is down on top of them: one shut down by a decree and failed at the same time
stays down until both have ended.

**Random numbers.** Each element draws from its own generator, seeded from the run's seed
sequence (``rng.bit_generator.seed_seq``) and a hash of the element's type and key, alternately
one number for the working time and one for the repair time (each through its inverse
distribution function). So the same seed gives the same failures; the draws of an element do not
depend on the timing of others, on the realised scenario's other draws, or on which other elements
exist: two topologies that share an element see it fail at the same moments (common random numbers
for comparing topologies), and a different MTBF or MTTR only scales the same draws.

Each failure is recorded (:class:`FailureLog`): the element, its kind, when it failed, when a crew
started on it, when it was restored (``failures.csv``, and the ``failures`` block of ``summary.json``).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from simkz.engine.processes import World
from simkz.results.table import Table, round_sig
from simkz.scenario.distributions import number
from simkz.scenario.failures import FailureSettings, failure_elements
from simkz.topology.network import Topology

__all__ = [
    "STREAM_KEY",
    "Failure",
    "FailureLog",
    "element_failures",
    "element_stream",
    "repair_seconds",
    "start_failures",
    "up_seconds",
]

#: Spawn-key word of the failure streams (``b"fail"``), so they differ from any stream spawned for replications.
STREAM_KEY = 0x6661696C
_UNIT = NormalDist()
_TINY = math.nextafter(0.0, 1.0)
_ALMOST_ONE = math.nextafter(1.0, 0.0)


@dataclass
class Failure:
    """One failure of one element; times in seconds since the scenario start (None: not reached by the end)."""

    element_type: str  #: ``node`` or ``link``
    element: str
    kind: str
    failed_s: float
    repair_started_s: float | None = None
    restored_s: float | None = None


def up_seconds(mtbf_h: float, u: float) -> float:
    """The working time (s) of an exponential with mean ``mtbf_h`` hours at ``u`` (0 <= u < 1) of its inverse."""
    return -3600.0 * mtbf_h * math.log1p(-u)


def repair_seconds(mttr_h: float, sd_log: float, u: float) -> float:
    """The repair time (s) of a lognormal with mean ``mttr_h`` hours and ``sd_log`` at ``u`` of its inverse; exactly
    the mean when ``sd_log`` is 0."""
    if sd_log == 0.0:
        return 3600.0 * mttr_h
    z = _UNIT.inv_cdf(min(max(u, _TINY), _ALMOST_ONE))
    return 3600.0 * mttr_h * math.exp(sd_log * z - 0.5 * sd_log * sd_log)


def element_stream(seed: np.random.SeedSequence, element_type: str, key: str) -> np.random.Generator:
    """The generator of one element: the run's seed sequence, extended by :data:`STREAM_KEY` and a hash of the
    element's type and key."""
    word = zlib.crc32(f"{element_type}:{key}".encode())
    return np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, STREAM_KEY, word), pool_size=seed.pool_size)
    )


class FailureLog:
    """The failures of one run, in the order they happened."""

    def __init__(self, settings: FailureSettings, elements: dict[str, int]) -> None:
        self.settings = settings
        self.elements = elements  #: elements that can fail, by ``node/<kind>`` or ``link/<kind>``
        self.failures: list[Failure] = []

    def __len__(self) -> int:
        return len(self.failures)

    def table(self, start: datetime, zone: ZoneInfo, end_s: float) -> Table:
        """``failures.csv``: one row per failure, in the order they happened (local times with their offset)."""

        def iso(seconds: float | None) -> str:
            if seconds is None:
                return ""
            return (start + timedelta(seconds=seconds)).astimezone(zone).isoformat(timespec="seconds")

        rows = self.failures
        waits, repairs, downs = zip(*(_spans(f, end_s) for f in rows), strict=True) if rows else ((), (), ())
        return Table(
            {
                "element": np.array([f.element for f in rows], dtype=object),
                "element_type": np.array([f.element_type for f in rows], dtype=object),
                "element_kind": np.array([f.kind for f in rows], dtype=object),
                "failed_at": np.array([iso(f.failed_s) for f in rows], dtype=object),
                "repair_started_at": np.array([iso(f.repair_started_s) for f in rows], dtype=object),
                "restored_at": np.array([iso(f.restored_s) for f in rows], dtype=object),
                "failed_elapsed_h": np.array([f.failed_s / 3600.0 for f in rows], dtype=np.float64),
                "crew_wait_h": np.array(waits, dtype=np.float64),
                "repair_h": np.array(repairs, dtype=np.float64),
                "down_h": np.array(downs, dtype=np.float64),
                "restored_flag": np.array([int(f.restored_s is not None) for f in rows], dtype=np.int64),
            }
        )

    def summary(self, end_s: float) -> dict[str, Any]:
        """The ``failures`` block of ``summary.json``: counts and hours (wait for a crew, repair, down) in all and by
        kind, and the rates the run used."""
        spans = [_spans(f, end_s) for f in self.failures]
        by_kind: dict[str, dict[str, float]] = {}
        for group, count in self.elements.items():
            element_type, kind = group.split("/")
            mine = [s for f, s in zip(self.failures, spans, strict=True) if f"{f.element_type}/{f.kind}" == group]
            rate = self.settings.rate(element_type, kind)
            assert rate is not None
            by_kind[group] = {
                "elements": count,
                "mtbf_h": round_sig(number(rate.mtbf_h)),
                "mttr_h": round_sig(number(rate.mttr_h)),
                "failures": len(mine),
                "down_hours": round_sig(sum(s[2] for s in mine)),
            }
        return {
            "crews": self.settings.crews,
            "repair_sd_log": round_sig(self.settings.repair_sd_log),
            "elements": sum(self.elements.values()),
            "failures": len(self.failures),
            "restored": sum(f.restored_s is not None for f in self.failures),
            "down_hours": round_sig(sum(s[2] for s in spans)),
            "crew_wait_hours": round_sig(sum(s[0] for s in spans)),
            "max_crew_wait_hours": round_sig(max((s[0] for s in spans), default=0.0)),
            "repair_hours": round_sig(sum(s[1] for s in spans)),
            "by_kind": by_kind,
        }


def _spans(f: Failure, end_s: float) -> tuple[float, float, float]:
    """Hours waiting for a crew, under repair, and down, within the run (to its end if not over by then)."""
    started = end_s if f.repair_started_s is None else f.repair_started_s
    restored = end_s if f.restored_s is None else f.restored_s
    return (started - f.failed_s) / 3600.0, (restored - started) / 3600.0, (restored - f.failed_s) / 3600.0


def element_failures(
    env: simpy.Environment,
    world: World,
    crews: simpy.Resource,
    failure: tuple[str, str, str],
    rates: tuple[float, float, float],
    stream: np.random.Generator,
    log: FailureLog,
) -> Generator[simpy.Event, Any, None]:
    """Fail, wait for a crew, be repaired, work again: forever (the run stops it).

    ``failure`` is ``(element type, key, kind)``; ``rates`` are MTBF (h), MTTR (h) and the repair times' sd of log.
    """
    element_type, key, kind = failure
    mtbf_h, mttr_h, sd_log = rates
    while True:
        up = up_seconds(mtbf_h, float(stream.random()))
        repair = repair_seconds(mttr_h, sd_log, float(stream.random()))
        yield env.timeout(up)
        record = Failure(element_type, key, kind, env.now)
        log.failures.append(record)
        world.fail(element_type, key)
        with crews.request() as request:
            yield request
            record.repair_started_s = env.now
            yield env.timeout(repair)
        world.repair(element_type, key)
        record.restored_s = env.now


def start_failures(
    env: simpy.Environment, world: World, settings: FailureSettings, topology: Topology, rng: np.random.Generator
) -> FailureLog:
    """Start one :func:`element_failures` process per element that can fail (nodes then links, in key order), all
    sharing ``settings.crews`` crews; return the log they write. ``settings`` must be realised (plain numbers)."""
    seed = rng.bit_generator.seed_seq
    if not isinstance(seed, np.random.SeedSequence):  # pragma: no cover - numpy's generators all have one
        raise TypeError("the run's generator has no seed sequence")
    crews = simpy.Resource(env, capacity=settings.crews)
    elements = failure_elements(settings, topology)
    counts = {  # in the order of the kinds (that of the schema)
        f"{r.element_type}/{r.kind}": n for r in settings.rates if (n := sum(1 for e in elements if e[2] is r)) > 0
    }
    log = FailureLog(settings, counts)
    for element_type, key, rate in elements:
        rates = (number(rate.mtbf_h), number(rate.mttr_h), settings.repair_sd_log)
        stream = element_stream(seed, element_type, key)
        env.process(element_failures(env, world, crews, (element_type, key, rate.kind), rates, stream, log))
    return log
