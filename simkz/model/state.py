"""The state of the network at one moment: what is down, throttled, blocked or whitelisted.

States are immutable and hashable, so routing and policy can be cached by state.
:class:`StateBuilder` is the mutable form that actions are applied to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["NetworkState", "StateBuilder"]


@dataclass(frozen=True)
class NetworkState:
    """Which nodes and links are down, link capacity factors and the policy rules at nodes.

    ``link_factor`` holds (link, factor) pairs for throttled links only (factor in [0, 1]).
    ``cut_share`` holds (access node, share of its users cut off) for partial shutdowns (0 < share < 1).
    ``blocks`` holds (node, service, effectiveness); ``whitelists`` holds
    (node, allowed services, effectiveness); ``degrade`` holds (node, pass share) for every service.
    ``withdrawn`` holds the access nodes whose routes are withdrawn from the global routing table.
    """

    down_nodes: frozenset[str] = frozenset()
    down_links: frozenset[str] = frozenset()
    link_factor: tuple[tuple[str, float], ...] = ()
    cut_share: tuple[tuple[str, float], ...] = ()
    blocks: tuple[tuple[str, str, float], ...] = ()
    whitelists: tuple[tuple[str, frozenset[str], float], ...] = ()
    degrade: tuple[tuple[str, float], ...] = ()
    withdrawn: frozenset[str] = frozenset()

    @property
    def topology_key(self) -> tuple[frozenset[str], frozenset[str]]:
        """The part of the state routing depends on."""
        return self.down_nodes, self.down_links

    @property
    def policy_key(self) -> tuple[object, ...]:
        """The part of the state filtering depends on."""
        return self.blocks, self.whitelists, self.degrade, self.withdrawn

    @property
    def filters(self) -> bool:
        """Whether any rule filters traffic by service (what VPNs get around)."""
        return bool(self.blocks or self.whitelists)


@dataclass
class StateBuilder:
    """A mutable network state that actions are applied to, in order."""

    down_nodes: set[str] = field(default_factory=set)
    down_links: set[str] = field(default_factory=set)
    link_factor: dict[str, float] = field(default_factory=dict)
    cut_share: dict[str, float] = field(default_factory=dict)
    blocks: dict[str, dict[str, float]] = field(default_factory=dict)
    whitelists: dict[str, tuple[frozenset[str], float]] = field(default_factory=dict)
    degrade: dict[str, float] = field(default_factory=dict)
    withdrawn: set[str] = field(default_factory=set)

    def freeze(self) -> NetworkState:
        return NetworkState(
            down_nodes=frozenset(self.down_nodes),
            down_links=frozenset(self.down_links),
            link_factor=tuple(sorted((k, v) for k, v in self.link_factor.items() if v != 1.0)),
            cut_share=tuple(sorted((k, v) for k, v in self.cut_share.items() if v > 0.0)),
            blocks=tuple(sorted((n, s, e) for n, rules in self.blocks.items() for s, e in rules.items())),
            whitelists=tuple(sorted((n, allowed, e) for n, (allowed, e) in self.whitelists.items())),
            degrade=tuple(sorted((k, v) for k, v in self.degrade.items() if v != 1.0)),
            withdrawn=frozenset(self.withdrawn),
        )
