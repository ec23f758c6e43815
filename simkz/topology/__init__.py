"""Topology: the graph of a country's networks, its file format and consistency checks."""
