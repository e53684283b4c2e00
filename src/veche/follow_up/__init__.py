"""Follow-up of resolutions: goals, units, indicators, progress and its roll-up."""
