"""Analysis of finished runs: comparing them with what real monitors measured.

* :mod:`simkz.analysis.observations`: the observations file format (measured signals and events, with sources);
* :mod:`simkz.analysis.score`: the score of a run against an observations file.
"""
