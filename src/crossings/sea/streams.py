"""Random stream ids of the sea process (the table of every id: crossings.core.rng.STREAM_IDS, checked equal)."""

INFLOW = 40  # Poisson count of people reaching a region, index = region
CHOICE = 41  # coast choice and deterrence, index = agent (two uniforms: agent*2, agent*2+1)
WEATHER = 42  # crossing window, index = coast
LAUNCH = 43  # a waiting person tries today, index = agent
PREVENT = 44  # stopped on land, index = agent
BOAT = 45  # boat intercepted / incident, index = boat id (two uniforms)
FATE = 46  # after a stop: returned/detained/give up; death on an incident boat, index = agent
RECHOICE = 47  # a person returned after a stop chooses a coast again, index = agent
SIZE = 48  # a boat's size when sizes vary (people_per_boat.cv > 0), index = boat id (two uniforms)
QUALITY = 49  # window quality: the share of ready boats a window day launches, index = coast
SAFE_ROUTE = 61  # a person reaching a coast takes a safe route (ids 40-49 are all taken), index = agent
LOSS = 63  # people lost on a boat with a fatal incident (sea.deaths loss table), index = boat id
INCIDENT_YEAR = 64  # the incident chance's latent year driver (sea.deaths.year_multipliers), tick = year, index 0
