"""VPN adoption: a SimPy process that lets the share of users with a working VPN grow while blocks last.

The share starts at the adoption of the topology's VPN service and, while any block or
whitelist is in force, grows by ``vpn_adoption_per_day`` a day (in hourly steps) up to
``vpn_max_share``. It never falls back within a run: installed VPNs stay installed.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simkz.engine.processes import World

__all__ = ["VPN_TICK_S", "vpn_adoption"]

#: How often the VPN share is updated, seconds.
VPN_TICK_S = 3600.0


def vpn_adoption(
    env: simpy.Environment, world: World, per_day: float, maximum: float
) -> Generator[simpy.Event, Any, None]:
    """Grow ``world.vpn_share`` by ``per_day`` a day while the state holds a block or a whitelist."""
    step = per_day * VPN_TICK_S / 86400.0
    while True:
        blocking = world.state.filters
        yield env.timeout(VPN_TICK_S)
        # grows for the hour that just passed if a block was in force at its start
        if blocking and world.vpn_share < maximum and step > 0:
            world.vpn_share = min(maximum, world.vpn_share + step)
            world.state_changed = True
