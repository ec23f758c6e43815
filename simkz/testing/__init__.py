"""Regression testing of simulation outputs in users' own test suites.

Installed with simkz, the pytest plugin :mod:`simkz.testing.plugin` gives every test the
``simkz_regression`` fixture and pytest the ``--simkz-update-baselines`` option.
"""

from simkz.testing.regression import run_and_compare

__all__ = ["run_and_compare"]
