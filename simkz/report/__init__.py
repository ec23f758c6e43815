"""The classroom report: one self-contained HTML page from one or more results folders (``simkz report``).

The page holds the headline figures with their methods and sources, the phases, tables by region, technology and
service (each number with its ``summary.json`` key path), the figures of :mod:`simkz.plots` as inline SVG, the
network drawing with a time slider over the run's states, and, for several folders, the runs side by side. It
loads nothing from the network and prints cleanly.
"""

from __future__ import annotations

from simkz.report.page import build_report

__all__ = ["build_report"]
