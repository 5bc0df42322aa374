"""The tidy shape of published figures, one figure per row, which the EES and LAIT loaders share."""

from __future__ import annotations

import polars as pl

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"

#: The tidy shape shared by the EES and LAIT loaders (one published figure per row).
TIDY_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_row": pl.Int64(),
    "measure": pl.String(),
    "year": pl.Int32(),
    "time_period": pl.String(),
    "geographic_level": pl.String(),
    "la_code": pl.String(),
    "la_name": pl.String(),
    "new_la_code": pl.String(),
    "region_code": pl.String(),
    "region_name": pl.String(),
    "shared_return": pl.String(),
    "value": pl.Float64(),
    "marker": pl.String(),
}
