"""Benchmarks, run by `make bench`. Each prints its figures beside the bare tool's."""
