"""Benchmarks with budgets: `make bench` (python -m bench) runs them and writes results.json."""
