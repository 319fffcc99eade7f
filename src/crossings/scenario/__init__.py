"""scenario subsystem."""
