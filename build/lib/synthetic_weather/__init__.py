"""The synthetic-weather generator behind the default case's hourly profiles (not needed to run a case)."""
