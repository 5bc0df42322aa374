"""The published figures of every comparator and the neighbour lists, loaded once for many reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class PublishedData:
    """The published values of every comparator and the neighbour lists, loaded once."""

    values: pl.DataFrame
    neighbours: dict[str, list[str]]
    comparators: tuple

    @classmethod
    def load(cls, dfe_dir: Path | None = None, lait_dir: Path | None = None) -> "PublishedData":
        from perfkit.config import paths
        from perfkit.published.comparators import (
            all_comparator_values,
            load_comparators,
        )
        from perfkit.published.neighbours import (
            MODEL_2021,
            load_neighbours,
            neighbour_lists,
        )

        dfe_dir = Path(dfe_dir) if dfe_dir else paths.published_dfe_dir()
        lait_dir = Path(lait_dir) if lait_dir else paths.published_lait_dir()
        comparators = load_comparators()
        lists = neighbour_lists(load_neighbours(MODEL_2021, dfe_dir))
        lists.update(neighbour_lists(load_neighbours(None, dfe_dir)))
        return cls(all_comparator_values(comparators, dfe_dir, lait_dir), lists, comparators)

    def save(self, folder: Path) -> Path:
        """Write the loaded values and neighbour lists to ``folder`` (a cache for batch runs)."""
        import json

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.values.write_parquet(folder / "values.parquet")
        (folder / "neighbours.json").write_text(json.dumps(self.neighbours, sort_keys=True), encoding="utf-8")
        return folder

    @classmethod
    def remembered(cls, dfe_dir: Path | None = None, lait_dir: Path | None = None) -> "PublishedData":
        """The published figures, read once and kept between runs (:mod:`perfkit.published.remembered`);
        read every time where they cannot be kept."""
        folder = cls.remembered_folder(dfe_dir, lait_dir)
        return cls.from_cache(folder) if folder is not None else cls.load(dfe_dir, lait_dir)

    @classmethod
    def remembered_folder(cls, dfe_dir: Path | None = None, lait_dir: Path | None = None) -> Path | None:
        """The folder of the published figures saved (:meth:`save`) for :meth:`from_cache`, read once and
        kept between runs; None where they cannot be kept (a cache folder that cannot be written)."""
        from perfkit.config import paths
        from perfkit.published.remembered import remembered_folder

        dfe_dir = Path(dfe_dir) if dfe_dir else paths.published_dfe_dir()
        lait_dir = Path(lait_dir) if lait_dir else paths.published_lait_dir()
        return remembered_folder(dfe_dir, lait_dir, lambda folder: cls.load(dfe_dir, lait_dir).save(folder))

    @classmethod
    def from_cache(cls, folder: Path) -> "PublishedData":
        import json

        from perfkit.published.comparators import load_comparators

        folder = Path(folder)
        return cls(pl.read_parquet(folder / "values.parquet"),
                   json.loads((folder / "neighbours.json").read_text(encoding="utf-8")), load_comparators())

    def authorities(self, year: int) -> list[tuple[str, str]]:
        """(LA number, name) of every authority with a published value for ``year``."""
        las = (
            self.values.filter((pl.col("geographic_level") == "Local authority") & (pl.col("year") == year)
                               & pl.col("value").is_not_null() & pl.col("la_code").is_not_null())
            .group_by("la_code").agg(pl.col("la_name").drop_nulls().last()).sort("la_code")
        )
        return [(code, name or code) for code, name in las.iter_rows()]
