"""Backlogs: failed requests queue, retry, and drain at a limited rate after restoration.

For a service with a backlog (payments, e-government), with ``lam`` its ordinary request rate
(requests per hour: users x adoption x requests per user per day / 24), ``mu`` its processing
capacity (``capacity_factor x lam``), ``r`` the share of failed requests that are retried and
``e`` the user-weighted effective served share:

* failed requests join the queue at ``lam x (1 - e) x r`` per hour;
* the queue drains at ``(mu - lam) x e`` per hour: the capacity left over by new requests,
  for the users who can reach the service;
* the queue holds at most ``lam x r x patience_h`` requests (a failed request is given up after
  ``patience_h`` hours): the container's capacity. Requests beyond it are abandoned.

Between change points these rates are constant, so the queue is piecewise linear. Each queue is
a ``simpy.Container``; a SimPy process wakes at every change point and at the instant the queue
empties, which the simulation records as a change point: the service's recovery.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simkz.impact.trace import EMPTY_BACKLOG
from simkz.topology.network import Service

__all__ = ["BacklogQueue"]


class BacklogQueue:
    """The queue of one service. Call :meth:`update` after every evaluation."""

    def __init__(self, env: simpy.Environment, service: Service, users: float, on_empty: Any) -> None:
        assert service.backlog is not None
        self.env = env
        self.service = service
        self.arrivals_per_h = users * service.adoption * service.backlog.requests_per_user_per_day / 24.0
        self.capacity_per_h = service.backlog.capacity_factor * self.arrivals_per_h
        self.retry_share = service.backlog.retry_share
        self.queue = simpy.Container(env, capacity=self.arrivals_per_h * self.retry_share * service.backlog.patience_h)
        self.net_per_h = 0.0  #: requests per hour joining (+) or leaving (-) the queue
        self._since = 0.0
        self._wake = env.event()
        self._on_empty = on_empty
        env.process(self._watch())

    @property
    def level(self) -> float:
        """Requests waiting, now."""
        return float(self.queue.level)

    def _advance(self) -> None:
        """Bring the queue to the present at the current rate."""
        hours = (self.env.now - self._since) / 3600.0
        self._since = self.env.now
        change = self.net_per_h * hours
        room = self.queue.capacity - self.queue.level
        if change > 0 and room > 0:
            self.queue.put(min(change, room))
        elif change < 0 and self.queue.level > 0:
            self.queue.get(min(-change, self.queue.level))
        if 0 < self.queue.level <= EMPTY_BACKLOG:
            self.queue.get(self.queue.level)

    def update(self, effective_share: float) -> None:
        """New effective served share (0-1) from now on."""
        self._advance()
        inflow = self.arrivals_per_h * (1.0 - effective_share) * self.retry_share
        outflow = (self.capacity_per_h - self.arrivals_per_h) * effective_share
        full = self.queue.level >= self.queue.capacity and inflow > outflow
        self.net_per_h = 0.0 if full or (self.queue.level <= 0 and inflow <= outflow) else inflow - outflow
        if not self._wake.triggered:
            self._wake.succeed()

    def _watch(self) -> Generator[simpy.Event, Any, None]:
        while True:
            self._wake = self.env.event()
            waits: list[simpy.Event] = [self._wake]
            if self.queue.level > 0 and self.net_per_h < 0:
                waits.append(self.env.timeout(self.queue.level / -self.net_per_h * 3600.0))
            yield self.env.any_of(waits)
            if not self._wake.triggered:  # the queue ran empty
                self._advance()
                if self.queue.level > 0:
                    self.queue.get(self.queue.level)
                self.net_per_h = 0.0
                self._on_empty()
