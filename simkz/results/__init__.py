"""Results: the run result object, its folder format, and (later) baselines and diffs."""
