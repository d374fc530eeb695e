"""Physical and bookkeeping constants shared by every layer (the bottom of the import flow)."""

HOURS_PER_YEAR = 8760  # a non-leap model year; annual figures of shorter horizons are scaled by it
HOURS_PER_DAY = 24
MWH_PER_GWH = 1e3

ELECTRICITY = "electricity"  # the carrier whose balance is the power system
COAL = "coal"  # the fuel whose units count in coal_full_load_hours

# Roles: what a technology family does, as code outside its own module asks it (schema.py declares each
# family's roles; nothing downstream names a family). A family may have several. A role is also a contract:
# what a family playing it gives (fields of its schema class, results of its extract()).
GENERATOR = "generator"  # makes energy from a primary source: counts in generation, the mix, output value
RENEWABLE = "renewable"  # output follows the weather: a `profile`; results `available` and `curtailment`
FUEL_FIRED = "fuel_fired"  # burns a `fuel`, committed unit by unit: full-load hours, must-run, start-ups;
#                            reserve and heat N-1 count its committed capacity (thermal_committed)
STORE = "store"  # shifts its carrier in time: `duration` or `energy_capacity`; results `storage_level`, ...
PLANT = "plant"  # converts an `input` into outputs, one the `product`: levelised cost, green products
LOAD = "load"  # takes a carrier out of the system for a consumer: result `demand`
MARKET = "market"  # trades with the grid beyond the model at prices: results `export`, `import`
TRANSFER = "transfer"  # carries a flow between `node` and `to_node`: results `link_forward`, `link_backward`
GRID_CONNECTION = (MARKET, TRANSFER)  # roles through which a node trades with the grid outside it

NODE_MARK = "@"  # a summary figure of one node is named <figure>@<node> (analysis/kpis.node_rows)
