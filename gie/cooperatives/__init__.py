"""The registry of the GIE's member cooperatives (law 112-12)."""
