"""Benchmarks (`python -m bench`): each module in `bench.__main__.BENCHES` has `run() -> list[dict]`."""
