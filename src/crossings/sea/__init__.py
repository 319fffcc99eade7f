"""sea subsystem."""
