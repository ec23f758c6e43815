"""AS-level topologies: CAIDA AS relationships and APNIC per-AS user estimates into a simkz topology."""
