"""Benchmarks: `make bench` (or `python -m bench`). Later issues add search, matching, alerts and
import benchmarks; each reports its numbers with the command that produced them."""
