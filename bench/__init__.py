"""Benchmarks of the assistant, each run from the project root as `python -m bench.<name>`."""
