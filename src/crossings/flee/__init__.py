"""flee subsystem."""
