"""Paired comparison of two variants on common random numbers: ``simkz compare A B``.

Each side is a scenario (a file or a shipped name), run as a replication set, or a results folder simkz
wrote: a single run's folder (``summary.json``) or a replication set's (``replications/rNNNN/summary.json``).
Scenarios are run with the same root seed (``--seed``, or A's) and the same number of replications ``N``,
so replication ``i`` of A and replication ``i`` of B draw from the same seed sequence
``numpy.random.SeedSequence(seed).spawn(N)[i]`` (common random numbers: two scenarios with the same uncertain
fields see the same draws, see :mod:`simkz.scenario.realise`). Folders are paired by replication index, and
refused unless their manifests' seeds and replication counts, and each pair's seed record, agree.

For every compared figure (the headline figures of :func:`~simkz.sweep.bands.is_headline` and the figures of
every group: ``by_region``, ``by_operator``, ``by_technology``, ``by_region_technology``), in the figure's own
unit, the folder holds:

* ``paired.csv``: ``replication, metric, a, b, difference`` (``difference = b - a``), one row per replication
  and figure;
* ``paired_bands.csv``: ``metric``, then ``a_mean`` and A's quantiles, B's, and the difference's
  (``difference_mean``, ``difference_q05``, ...): the bands of the paired differences, not the difference of
  the bands;
* ``a/`` and ``b/``: the replication sets run from scenarios (absent for a side given as a folder);
* ``manifest.json``: both sides, the seed, ``N`` and the quantiles; nothing that depends on the executor,
  the host or the time, so the folder is byte-identical for any number of workers.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simkz._version import __version__
from simkz.errors import InputError
from simkz.resources import require_scenario
from simkz.scenario.load import Scenario, load_scenario
from simkz.sweep.bands import band, flatten_figures, is_headline, quantile_columns, write_csv
from simkz.sweep.drive import SEEDS, replication_job, run_job
from simkz.sweep.plan import EVERY_TABLE, Output, replication_id
from simkz.sweep.store import SUMMARY_FILE, WorkFolder

__all__ = [
    "GROUP_PREFIXES",
    "Comparison",
    "Side",
    "compared",
    "paired_compare",
    "resolve_side",
]

#: Summary figures of groups compared besides the headline ones, by key path prefix.
GROUP_PREFIXES = ("by_region.", "by_operator.", "by_technology.", "by_region_technology.")


def compared(key: str) -> bool:
    """Whether a summary figure is compared: a headline figure or a group's figure."""
    return is_headline(key) or key.startswith(GROUP_PREFIXES)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a scenario to run, or a results folder already run."""

    ref: str  #: as given on the command line
    name: str  #: the scenario's name
    scenario: Scenario | None = None  #: set for a scenario to run
    folder: Path | None = None  #: set for a results folder
    seed: Any = None  #: a folder's manifest seed
    replications: int = 0  #: a folder's number of runs
    single: bool = False  #: a single run's folder (not a replication set)

    def record(self) -> dict[str, Any]:
        """What ``manifest.json`` says of this side."""
        if self.scenario is not None:
            inputs = [{"path": str(p), "sha256": digest} for p, digest in self.scenario.files]
            return {"scenario": self.name, "inputs": inputs}
        return {"folder": self.ref, "scenario": self.name, "kind": "run" if self.single else "replications"}


@dataclass(frozen=True)
class Comparison:
    """A finished comparison. ``values[s][r, k]``: figure ``metrics[k]`` of replication ``r`` on side ``s`` (``a``,
    ``b`` or ``difference``); ``mean[s][k]`` and ``quantiles[s][q, k]`` their bands, in the figure's unit."""

    folder: Path
    a: Side
    b: Side
    seed: Any
    replications: int
    quantiles: tuple[float, ...]
    metrics: list[str]
    values: dict[str, NDArray[np.float64]]
    mean: dict[str, NDArray[np.float64]]
    bands: dict[str, NDArray[np.float64]]


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, (), f"cannot read {what}: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(path, (), f"is not {what}", allowed="a JSON object")
    return data


def resolve_side(ref: str) -> Side:
    """``ref`` as a results folder (an existing folder) or else a scenario (a file or a shipped name)."""
    path = Path(ref)
    if not path.is_dir():
        scenario = load_scenario(require_scenario(ref))
        return Side(ref, scenario.name, scenario=scenario)
    manifest = _read_json(path / "manifest.json", "a results folder's manifest")
    if "simkz_version" not in manifest:
        raise InputError(path / "manifest.json", (), "was not written by simkz", allowed="a results folder of simkz")
    if (path / SUMMARY_FILE).is_file():
        summary = _read_json(path / SUMMARY_FILE, "a run's summary")
        return Side(
            ref, _scenario_name(summary, path), folder=path, seed=manifest.get("seed"), replications=1, single=True
        )
    n = manifest.get("replications")
    if manifest.get("kind") != "replications" or not isinstance(n, int) or n < 1:
        raise InputError(
            path,
            (),
            "is neither a run's folder nor a replication set's",
            value=manifest.get("kind"),
            allowed="a folder written by `simkz run`, with or without --replications",
        )
    return Side(ref, str(manifest.get("scenario", path.name)), folder=path, seed=manifest.get("seed"), replications=n)


def _scenario_name(summary: Mapping[str, Any], path: Path) -> str:
    scenario = summary.get("scenario")
    name = scenario.get("name") if isinstance(scenario, Mapping) else None
    return name if isinstance(name, str) else path.name


def plan(a: Side, b: Side, *, seed: int | None, replications: int | None) -> tuple[Any, int]:
    """The root seed and ``N`` of the comparison; refuse folders (or options) that do not pair."""
    folders = [s for s in (a, b) if s.folder is not None]
    if len(folders) == 2 and (a.seed != b.seed or a.replications != b.replications):
        raise InputError(
            b.ref,
            ("manifest.json", "seed"),
            f"seed {b.seed!r} and {b.replications} replications, where {a.ref} has seed {a.seed!r} and "
            f"{a.replications}: their replications share no random numbers",
            allowed="folders run with the same seed and number of replications",
        )
    if any(s.single for s in folders) and len(folders) < 2:
        raise InputError(
            folders[0].ref, (), "is a single run's folder", allowed="another single run's folder, or a replication set"
        )
    if folders:
        given = folders[0]
        if seed is not None and seed != given.seed:
            raise InputError(None, ("--seed",), f"{given.ref} was run with seed {given.seed!r}", value=seed)
        if replications is not None and replications != given.replications:
            raise InputError(
                None, ("--replications",), f"{given.ref} holds {given.replications} replications", value=replications
            )
        return given.seed, given.replications
    assert a.scenario is not None
    return (a.scenario.seed if seed is None else seed), (1 if replications is None else replications)


def paired_compare(
    a: Side,
    b: Side,
    folder: Path,
    *,
    root: Path | None = None,
    seed: int | None = None,
    replications: int | None = None,
    quantiles: tuple[float, ...],
    force: bool = False,
    workers: int = 1,
    scheduler: str | None = None,
    output: Output = EVERY_TABLE,
    progress: Callable[[int], None] | None = None,
) -> Comparison:
    """Compare A and B (from :func:`resolve_side`; see the module's docstring) into ``folder``; ``progress(k)`` is
    told of every ``k`` runs."""
    root_seed, n = plan(a, b, seed=seed, replications=replications)
    with WorkFolder(folder, root=root, force=force) as work:
        work.open(_manifest(a, b, root_seed, n, quantiles), resume=False)
        runs = {}
        # each set is built in a folder of its own: run_job locks its target's parent, and this work folder is ours
        staging = work.path / "sets"
        for key, side in (("a", a), ("b", b)):
            if side.scenario is not None:
                job = replication_job(side.scenario, seed=root_seed, replications=n, quantiles=quantiles, output=output)
                run_job(job, staging / key, root=work.path, workers=workers, scheduler=scheduler, progress=progress)
                (staging / key).rename(work.path / key)
                runs[key] = _runs(work.path / key, n, single=False)
            else:
                assert side.folder is not None
                runs[key] = _runs(side.folder, n, single=side.single)
        if staging.exists():
            shutil.rmtree(staging)
        result = _pair(a, b, runs["a"], runs["b"], quantiles)
        _write(work.path, result, n, quantiles)
        work.commit()
    return Comparison(folder, a, b, root_seed, n, quantiles, *result)


def _manifest(a: Side, b: Side, seed: Any, n: int, quantiles: Sequence[float]) -> dict[str, Any]:
    """The comparison's ``manifest.json``: both sides, the seed, N and the quantiles."""
    return {
        "simkz_version": __version__,
        "kind": "compare",
        "a": a.record(),
        "b": b.record(),
        "seed": seed,
        "seeds": "a single run each" if a.single else SEEDS,
        "replications": n,
        "quantiles": list(quantiles),
        "difference": "b - a, per replication",
    }


def _runs(folder: Path, n: int, *, single: bool) -> list[Path]:
    """The summaries of a folder's runs, in replication order."""
    if single:
        return [folder / SUMMARY_FILE]
    runs = [folder / "replications" / replication_id(i, n) / SUMMARY_FILE for i in range(n)]
    for run in runs:
        if not run.is_file():
            raise InputError(run, (), "is missing: the replication set is incomplete", allowed="a finished set")
    return runs


def _pair(
    a: Side, b: Side, a_runs: Sequence[Path], b_runs: Sequence[Path], quantiles: Sequence[float]
) -> tuple[list[str], dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]:
    """The compared figures (present in every run of both sides, in the order of A's first run), their values per
    replication on each side and as differences, and their bands."""
    summaries = {}
    for key, runs in (("a", a_runs), ("b", b_runs)):
        summaries[key] = [_read_json(run, "a run's summary") for run in runs]
    for r, (sa, sb) in enumerate(zip(summaries["a"], summaries["b"], strict=True)):
        seed_a, seed_b = _seed_of(sa), _seed_of(sb)
        if seed_a != seed_b:
            raise InputError(
                b_runs[r],
                ("scenario", "seed"),
                f"replication {r} ran from seed {seed_a!r} in {a.ref}: the pair shares no random numbers",
                value=seed_b,
                allowed="runs from the same seeds",
            )
    flat = {key: [flatten_figures(s) for s in ss] for key, ss in summaries.items()}
    every = [*flat["a"], *flat["b"]]
    metrics = [k for k in flat["a"][0] if compared(k) and all(k in f for f in every)]
    values = {key: np.array([[f[k] for k in metrics] for f in fs], dtype=np.float64) for key, fs in flat.items()}
    values["difference"] = values["b"] - values["a"]
    mean, bands = {}, {}
    for key, v in values.items():
        mean[key], bands[key] = band(np.ascontiguousarray(v.T), quantiles)  # band sorts its input: a copy
    return metrics, values, mean, bands


def _seed_of(summary: Mapping[str, Any]) -> Any:
    scenario = summary.get("scenario")
    return scenario.get("seed") if isinstance(scenario, Mapping) else None


SIDES = ("a", "b", "difference")


def _write(
    folder: Path,
    result: tuple[list[str], dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]], dict[str, Any]],
    n: int,
    quantiles: Sequence[float],
) -> None:
    metrics, values, mean, bands = result

    def paired() -> Any:
        for r in range(n):
            rid = replication_id(r, n)
            for k, name in enumerate(metrics):
                yield [rid, name, *(float(values[s][r, k]) for s in SIDES)]

    write_csv(folder / "paired.csv", ["replication", "metric", *SIDES], paired())
    qcols = quantile_columns(quantiles)
    header = ["metric", *(f"{s}_{c}" for s in SIDES for c in ("mean", *qcols))]

    def rows() -> Any:
        for k, name in enumerate(metrics):
            yield [name, *(x for s in SIDES for x in (float(mean[s][k]), *(float(q) for q in bands[s][:, k])))]

    write_csv(folder / "paired_bands.csv", header, rows())
