"""The browser app (`crossings serve`): pick a scenario, switch levers, run an ensemble, read fan charts.

A FastAPI server on 127.0.0.1 with a small hand-written front end (static/); every asset ships here.
"""
