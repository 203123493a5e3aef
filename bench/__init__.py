"""Benchmarks: each ``bench_<topic>.py`` has ``run() -> dict``; they print JSON."""
