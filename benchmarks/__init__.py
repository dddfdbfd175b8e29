"""fieldops's benchmark suite against its peers: ``python -m benchmarks.run``."""
