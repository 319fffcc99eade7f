"""Random stream ids of the route-system (land) process: 70-79 (see crossings.core.rng); 69: deaths' year factor."""

SPAWN = 70  # Poisson count of people of a group setting out today, index = group
CHOICE = 71  # a new person's route choice, index = agent
ATTEMPT = 72  # a waiting person tries the border today, index = agent
DETECT = 73  # the attempt is detected, index = agent
PUSHBACK = 74  # a detected attempt is pushed back, index = agent
RETRY = 75  # a pushed-back person retries the same border, index = agent
RECHOICE = 76  # a person who does not retry gives up or chooses again, index = agent (two: 2a, 2a+1)
ONWARD = 77  # a person who crossed continues on the chained route, index = agent
FORECAST = 78  # a forecast draw's parameters, past-year pick and monthly noise (forecasting/europe_forecast), tick = draw
DEATHS = 79  # a route-month's dead and missing (Poisson, land/deaths.py), tick = month index, index = route
DEATHS_YEAR = 69  # a route-year's latent death-rate factor (Gamma, land/deaths.py), tick = year, index = route
