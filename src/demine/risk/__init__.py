"""The contamination risk model: where is explosive ordnance likely, including where no record shows it?

A cell table (one row per grid cell: features, an optional 0/1 label, a spatial group) is the common currency. It comes
either from any file the user has (the generic path: CSV or GeoPackage) or from the register (grid + features built
from finds, incidents, records, hazards and land release). Gradient boosting (LightGBM) ranks the cells, a Platt map fitted on
out-of-fold scores turns the ranking into probabilities, and every figure comes from spatial cross-validation: whole
groups (municipalities, districts, blocks) are left out, never random rows.
"""
