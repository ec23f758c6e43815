"""Scenario: the file format, its loader and the checks of a scenario against its topology."""
