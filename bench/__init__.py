"""Benchmarks (run as scripts, e.g. `.venv/bin/python bench/bench_sync.py`)."""
