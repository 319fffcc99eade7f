"""Land and sea routes as one system: route choice, border crossings with detection, pushback and retry."""
