"""The run layer: runner, commands, result tables, ensembles (above the processes, below analysis and reports)."""
