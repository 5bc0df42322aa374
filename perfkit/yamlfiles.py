"""Reading YAML: parameters, targets and the catalogue, with the C parser where PyYAML has it."""

from __future__ import annotations

from typing import Any


def parse_yaml(text: str) -> Any:
    """Parse YAML safely (no arbitrary objects), with libyaml's fast loader when it is installed.

    >>> parse_yaml("authority: '990'\\nclosure_days: [2024-12-27]")
    {'authority': '990', 'closure_days': [datetime.date(2024, 12, 27)]}
    """
    import yaml  # imported here: keeps ``import perfkit`` light

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, C or Python
