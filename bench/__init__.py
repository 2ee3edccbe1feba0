"""Benchmarks and generators of large synthetic rounds (not part of the installed package)."""
