"""Physical and bookkeeping constants shared by every layer (the bottom of the import flow)."""

HOURS_PER_YEAR = 8760  # a non-leap model year; annual figures of shorter horizons are scaled by it
HOURS_PER_DAY = 24
MWH_PER_GWH = 1e3

ELECTRICITY = "electricity"  # the carrier whose balance is the power system
COAL = "coal"  # the fuel whose units count in coal_full_load_hours
