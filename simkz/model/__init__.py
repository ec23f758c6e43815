"""Model: pure functions from a network state to routing, loads and served shares (no SimPy here)."""
