"""Published DfE benchmarks: Explore Education Statistics files, LAIT, statistical neighbours.

The modules read the published files unchanged (from ``perfkit.config.paths.published_dfe_dir()``
and ``perfkit.config.paths.published_lait_dir()`` unless told otherwise) and never at import time:

- :mod:`perfkit.published.ees` loads the Explore Education Statistics CSVs, keeps
  suppression markers beside empty values, keys local authorities by their old
  three-digit LA number and reproduces published percentages and rates from the
  published counts;
- :mod:`perfkit.published.lait` loads the LAIT long table into the same tidy shape;
- :mod:`perfkit.published.neighbours` reads the statistical neighbour models;
- :mod:`perfkit.published.comparators` maps catalogue indicators to their
  published comparator (``comparators.yaml``);
- :mod:`perfkit.published.benchmarks` builds the benchmark table for one
  authority and year.
"""
