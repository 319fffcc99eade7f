"""Random stream ids of the forecasts (crossings.core.rng keys (seed, stream, tick = draw, index)).
Taken after the ensembles' 60 and the safe routes' 61."""

DRIVER = 62  # the latent inflow driver's level innovations and the monthly observation noise
