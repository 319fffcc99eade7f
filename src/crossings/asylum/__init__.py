"""Asylum systems: daily queues per destination (claims, decisions, appeals, removals, support, hotels, costs)
and the asylum levers (decision capacity, offshore processing, third-country removal, deterrence).
Entry point: `crossings.asylum.simulate.run_asylum(config, sea, seed)`; see docs/asylum_model.md."""
