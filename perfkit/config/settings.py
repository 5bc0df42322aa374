"""Each authority's settings and the disclosure threshold: one reader, for the batch, the report, the explorer and the command line.

An authority's settings come from its parameters file
(``parameters/authorities/<la>.yaml``, or a folder given with
``perfkit batch --parameters``): name, audience, the authority whose
published statistical neighbours it is compared with, its own dataset, local
closure days and the date of its data extract. Reading them in one place
means every view of the same authority counts working days the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from perfkit.config import paths
from perfkit.config.la_codes import la_code
from perfkit.errors import DisclosureError, SettingsError

DEFAULT_THRESHOLD = 5
"""The smallest count members may see unless ``parameters/disclosure.yaml`` says otherwise."""
MIN_THRESHOLD = 3
"""A threshold of 2 hides only ones, and "fewer than 2" says it is 1: no threshold below 3 protects anything."""
AUDIENCES = ("members", "analyst")


def check_threshold(threshold: object) -> int:
    """The disclosure threshold, if it can protect anything.

    >>> check_threshold(5)
    5
    >>> check_threshold(2)
    Traceback (most recent call last):
    ...
    perfkit.errors.DisclosureError: disclosure threshold 2: expected a whole number of at least 3 ("fewer than 2" can only mean 1)
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < MIN_THRESHOLD:
        why = ' ("fewer than 2" can only mean 1)' if threshold == 2 else ""
        raise DisclosureError(f"disclosure threshold {threshold!r}: expected a whole number of at least {MIN_THRESHOLD}{why}")
    return threshold


def settings_file(name: str) -> dict:
    """A settings file of ``parameters/`` as a mapping (empty where there is none)."""
    from perfkit.config.safe_yaml import read_yaml

    path = paths.parameters_dir() / name
    return read_yaml(path) if path.exists() else {}


def disclosure_threshold() -> int:
    """The smallest count members may see (``parameters/disclosure.yaml``; 5 by default, at least 3)."""
    return check_threshold(settings_file("disclosure.yaml").get("threshold", DEFAULT_THRESHOLD))


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SettingsError(f"{where}: value {str(value)!r}: expected a date such as 2025-04-30") from None


_QUARTER = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")
_INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
REBASE_EXAMPLE = "spc_rebase: {referrals: ['2023-24 Q1']}"


def _rebase(value: object, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``spc_rebase``: each indicator's declared changes, as quarters (``2023-24 Q1``), checked.

    Whether each indicator is in the catalogue is checked where the catalogue
    is read (:func:`perfkit.pipeline.aggregates.check_spc_rebase`).

    >>> _rebase({"referrals": ["2023-24 Q1", "2024-25 Q3"]}, "990.yaml")
    (('referrals', ('2023-24 Q1', '2024-25 Q3')),)
    >>> _rebase({"referrals": ["2023-24 Q5"]}, "990.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsError: 990.yaml, key 'spc_rebase', indicator 'referrals': period '2023-24 Q5': expected a quarter such as 2023-24 Q1
    """
    if value is None:
        return ()
    where = f"{source}, key 'spc_rebase'"
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: expected a mapping of indicators to the quarters in which the process "
                            f"changed, such as {REBASE_EXAMPLE}")
    found = []
    for indicator, periods in value.items():
        if not isinstance(indicator, str) or not _INDICATOR_ID.match(indicator):
            raise SettingsError(f"{where}: indicator {indicator!r}: expected an indicator id such as referrals")
        if isinstance(periods, str):
            periods = [periods]
        if not isinstance(periods, list) or not periods:
            raise SettingsError(f"{where}, indicator {indicator!r}: value {periods!r}: expected a list of quarters "
                                f"such as ['2023-24 Q1']")
        labels = []
        for period in periods:
            text = str(period).strip()
            match = _QUARTER.match(text)
            if not isinstance(period, str) or not match or (int(match[1]) + 1) % 100 != int(match[2]):
                raise SettingsError(f"{where}, indicator {indicator!r}: period {period!r}: expected a quarter such "
                                    "as 2023-24 Q1")
            if text in labels:
                raise SettingsError(f"{where}, indicator {indicator!r}: period {text!r} is given twice")
            labels.append(text)
        found.append((indicator, tuple(sorted(labels))))
    return tuple(found)


@dataclass(frozen=True)
class AuthoritySettings:
    """One authority's settings, as its parameters file gives them (or the defaults, where it has none).

    Examples
    --------
    >>> s = AuthoritySettings.from_mapping({"authority": "990", "name": "Northmoor", "closure_days": ["2024-12-24"]}, "990.yaml")
    >>> s.name, s.closure_days, s.benchmark_authority, s.audience
    ('Northmoor', (datetime.date(2024, 12, 24),), '990', 'members')
    """

    authority: str
    name: str
    audience: str = "members"
    benchmark_authority: str | None = None
    data_dir: Path | None = None
    closure_days: tuple[dt.date, ...] = ()
    data_as_at: dt.date | None = None
    source: str | None = None
    spc_rebase: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Declared changes in the process (``spc_rebase: {referrals: ["2023-24 Q1"]}``): each indicator's
    quarters from which its process limits are worked out afresh."""

    def __post_init__(self) -> None:
        if self.benchmark_authority is None:
            object.__setattr__(self, "benchmark_authority", self.authority)

    @classmethod
    def default(cls, authority: str) -> "AuthoritySettings":
        """The settings of an authority with no parameters file."""
        return cls(authority, f"Authority {authority}")

    @classmethod
    def from_mapping(cls, settings: dict, source: str, authority: str | None = None) -> "AuthoritySettings":
        """Settings from a parameters file's mapping; ``source`` names the file in every message."""
        if not isinstance(settings, dict):
            raise SettingsError(f"{source}: expected a mapping of settings (name: value)")
        if "authority" in settings:
            code = la_code(settings["authority"], f"{source}, key 'authority'")
        else:
            code = la_code(authority if authority is not None else Path(source).stem,
                           f"{source}, file name (no key 'authority')")
        audience = settings.get("audience", "members")
        if audience not in AUDIENCES:
            raise SettingsError(f"{source}, key 'audience': value {audience!r}: expected one of {', '.join(AUDIENCES)}")
        closure = settings.get("closure_days") or []
        if not isinstance(closure, list):
            raise SettingsError(f"{source}, key 'closure_days': expected a list of dates such as [2024-12-24]")
        benchmark = settings.get("benchmark_authority")
        own_data = settings.get("data_dir")
        return cls(
            authority=code,
            name=str(settings.get("name") or f"Authority {code}"),
            audience=audience,
            benchmark_authority=la_code(benchmark, f"{source}, key 'benchmark_authority'") if benchmark is not None else code,
            data_dir=(paths.project_root() / str(own_data)) if own_data else None,
            closure_days=tuple(_date(d, f"{source}, key 'closure_days'") for d in closure),
            data_as_at=_date(settings["data_as_at"], f"{source}, key 'data_as_at'") if settings.get("data_as_at") else None,
            source=source,
            spc_rebase=_rebase(settings.get("spc_rebase"), source),
        )

    def rebase_at(self, indicator_id: str) -> tuple[str, ...]:
        """The quarters from which an indicator's process limits start afresh (none by default).

        >>> s = AuthoritySettings.from_mapping({"spc_rebase": {"referrals": ["2023-24 Q1"]}}, "990.yaml")
        >>> s.rebase_at("referrals"), s.rebase_at("contacts")
        (('2023-24 Q1',), ())
        """
        return dict(self.spc_rebase).get(indicator_id, ())

    def data_end(self, latest_record: dt.date | None) -> dt.date | None:
        """Where the authority's data end: the declared extract date, else the latest record's date.

        >>> AuthoritySettings.default("990").data_end(dt.date(2025, 3, 28))
        datetime.date(2025, 3, 28)
        """
        return self.data_as_at or latest_record

    def as_of(self, as_at: str | dt.date | None) -> dt.date | None:
        """The date the data were extracted: ``as_at`` where given, else the file's ``data_as_at``; None where
        neither says (never the date of the latest record, which is a child's event).

        >>> AuthoritySettings.default("990").as_of("2025-04-30"), AuthoritySettings.default("990").as_of(None)
        (datetime.date(2025, 4, 30), None)
        """
        if as_at in (None, ""):
            return self.data_as_at
        return _date(as_at, "as_at")


def read_authority_settings(path: Path) -> AuthoritySettings:
    """The settings in one parameters file."""
    from perfkit.config.safe_yaml import read_yaml

    return AuthoritySettings.from_mapping(read_yaml(path), str(path))


def all_authority_settings(folder: Path | None = None) -> list[AuthoritySettings]:
    """The settings of every parameters file in ``folder`` (``parameters/authorities/`` by default), by file name."""
    folder = Path(folder) if folder else paths.authorities_dir()
    return [read_authority_settings(path) for path in sorted(folder.glob("*.yaml"))]


def authority_settings(authority: str, folder: Path | None = None) -> AuthoritySettings:
    """One authority's settings: its file in ``folder`` (``<la>.yaml``, or another naming it), else the defaults."""
    folder = Path(folder) if folder else paths.authorities_dir()
    own = folder / f"{authority}.yaml"
    if own.exists():
        found = read_authority_settings(own)
        if found.authority == authority:
            return found
    for settings in all_authority_settings(folder) if folder.is_dir() else []:
        if settings.authority == authority:
            return settings
    return AuthoritySettings.default(authority)
