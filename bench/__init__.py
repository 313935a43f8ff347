"""Benchmarks of the gateway (see bench/README.md)."""
