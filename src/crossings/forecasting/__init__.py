"""Probabilistic forecasts past an origin: a latent stochastic driver on the regional inflow, the mechanism,
and rolling back-tests against baselines (docs/forecasting.md)."""
