"""Calibration: the sea fit, fit specifications, moments, parameter uncertainty (above the processes, below the run layer)."""
