"""Shared machinery: random streams, calendar, atomic output and run manifests."""
