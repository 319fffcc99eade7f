"""Analysis: statistical baselines, scores and the validation computations (issue 3 "Must show")."""
