"""Realise a scenario: draw every uncertain number once, so that a run sees plain numbers only.

:func:`realise` draws, from one random generator and in a fixed order:

1. the model parameters, by name (:data:`~simkz.scenario.parameters.PARAMETERS`);
2. the actions, in file order; within an action, its number (``effectiveness`` of a block or
   whitelist, ``pass`` of a degrade, ``share`` of a shutdown, ``factor`` of a throttle), then its
   ``shift_min``;
3. the random failures' uncertain MTBF and MTTR (:func:`~simkz.scenario.failures.realise_failures`).

Each distribution takes exactly one number of the generator (see
:mod:`simkz.scenario.distributions`) and a plain number none, so two scenarios with the same
uncertain fields, realised from generators with the same seed, see the same random numbers
(common random numbers), whatever the kinds and values of their distributions.

A shift moves every window of its action by the drawn minutes; the shifted windows are clipped to
the run as loading clips them (:func:`~simkz.scenario.load.clip_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simkz.scenario.distributions import draw, is_distribution, number
from simkz.scenario.failures import realise_failures
from simkz.scenario.load import Action, Scenario, clip_windows

__all__ = ["ACTION_NUMBERS", "Realised", "realise", "seed_record"]

#: The fields of each action kind that take a number or a distribution: (field name, key in files), in draw order.
ACTION_NUMBERS: dict[str, tuple[tuple[str, str], ...]] = {
    "block": (("effectiveness", "effectiveness"),),
    "whitelist": (("effectiveness", "effectiveness"),),
    "degrade": (("pass_", "pass"),),
    "shutdown": (("share", "share"),),
    "throttle": (("factor", "factor"),),
    "withdraw": (),
    "restore": (),
}


@dataclass(frozen=True)
class Realised:
    """A scenario with every uncertain number drawn.

    ``scenario``: the same scenario with plain numbers only (its actions' numbers drawn, their windows
    shifted; its ``parameters`` drawn; its ``draws`` set). ``parameters``: every model parameter's
    value, by name. ``draws``: every drawn action number and random-failure rate by its key path
    (``actions[3].degrade.pass``, ``actions[0].shift_min``, ``random_failures.nodes.core.mtbf_h``), in draw order.
    """

    scenario: Scenario
    parameters: dict[str, float]
    draws: dict[str, float]


def realise(scenario: Scenario, rng: np.random.Generator) -> Realised:
    """Draw every distribution of ``scenario`` once from ``rng``, in the order of the module's docstring."""
    parameters = {name: draw(scenario.parameters[name], rng) for name in sorted(scenario.parameters)}
    draws: dict[str, float] = {}
    actions = tuple(_realise_action(action, rng, draws, scenario.duration_s) for action in scenario.actions)
    failures = None if scenario.failures is None else realise_failures(scenario.failures, rng, draws)
    realised = replace(scenario, parameters=dict(parameters), actions=actions, draws=dict(draws), failures=failures)
    return Realised(realised, parameters, draws)


def _realise_action(action: Action, rng: np.random.Generator, draws: dict[str, float], end_s: float) -> Action:
    """``action`` with its numbers drawn (recorded in ``draws``) and its windows shifted; itself if nothing is
    uncertain or shifted."""
    spec = action.spec
    body = getattr(spec, action.kind)
    numbers: dict[str, float] = {}
    for name, key in ACTION_NUMBERS[action.kind]:
        value = getattr(body, name)
        if is_distribution(value):
            numbers[name] = draws[f"actions[{action.index}].{action.kind}.{key}"] = draw(value, rng)
    shift = spec.shift_min
    if is_distribution(shift):
        minutes = draws[f"actions[{action.index}].shift_min"] = draw(shift, rng)
    else:
        minutes = number(shift)
    if not numbers and minutes == 0.0 and not is_distribution(shift):
        return action
    update: dict[str, Any] = {"shift_min": minutes}
    if numbers:
        update[action.kind] = body.model_copy(update=numbers)
    windows = action.windows if minutes == 0.0 else clip_windows(action.unclipped, 60.0 * minutes, end_s)
    return replace(action, spec=spec.model_copy(update=update), windows=windows)


def seed_record(seed: int | np.random.SeedSequence) -> int | dict[str, Any]:
    """The seed as JSON: an int, or ``{"entropy": ..., "spawn_key": [...]}`` for a spawned
    :class:`numpy.random.SeedSequence` (one without a spawn key is its entropy, the same generator as that int)."""
    if not isinstance(seed, np.random.SeedSequence):
        return int(seed)
    entropy = seed.entropy  # an int, or the sequence of ints it was given
    plain: Any = int(entropy) if isinstance(entropy, int | np.integer) else [int(e) for e in entropy or ()]
    if not seed.spawn_key and isinstance(plain, int) and seed.pool_size == 4:
        return plain
    record: dict[str, Any] = {"entropy": plain, "spawn_key": [int(k) for k in seed.spawn_key]}
    if seed.pool_size != 4:  # numpy's default
        record["pool_size"] = int(seed.pool_size)
    return record
