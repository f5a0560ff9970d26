"""The headless robot: many customers through the real money engine."""
