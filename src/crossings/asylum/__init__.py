"""asylum subsystem."""
