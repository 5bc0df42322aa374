"""Reading YAML: parameters, targets, the catalogue and the comparators, with the C parser where PyYAML has it.

perfkit reads only its own simple settings files, so it reads them warily
(:func:`read_yaml`):

- **Safe loading only**: PyYAML's safe loader (libyaml's when installed), which
  builds plain values (text, numbers, dates, lists, mappings), never objects.
- **No anchors or aliases** (``&name`` and ``*name``): none of perfkit's files
  uses them, and nested aliases are how a tiny file grows into gigabytes (each
  level of nested ``<<: [*a, *a, ...]`` merges multiplies the work); a file
  with one is refused at once, naming the line.
- **No tags** (``!!python/object``, ``!!str``, ``!anything``): refused, naming
  the line, rather than left to the safe loader's multi-line error.
- **At most** :data:`MAX_YAML_BYTES` **bytes**, read before anything is parsed,
  nested at most :data:`MAX_YAML_DEPTH` deep (200 KB of ``[[[[...`` crashed
  libyaml's parser), UTF-8 text, and a mapping (``name: value`` lines).
- A value that cannot be built (a date such as ``2024-02-30``) names its line.

Every refusal is a :class:`SettingsFileError` (a ``ValueError``) whose one-line
message names the file and the line, e.g. ``parameters/targets.yaml, line 7:
...``: the command line prints it and exits with status 2 (a targets or
disclosure file read inside a report fails that authority's report instead,
with the same line as its reason).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from perfkit.errors import SettingsFileError

MAX_YAML_BYTES = 1_000_000
"""The largest settings file read (1 MB), checked before it is parsed.

perfkit's own files are at most about 20 KB (``perfkit/catalogue.yaml``); an
authority's parameters or targets are a few kilobytes. Fifty times the
largest leaves room for any real file and keeps a careless one (a data export
saved as ``.yaml``) from being parsed at all.
"""

MAX_YAML_DEPTH = 32
"""How deeply lists and mappings may nest. perfkit's files nest at most 6 deep
(``comparators.yaml``); deeper is refused before the document is built, so a
file of ``[[[[...`` cannot exhaust the parser's stack."""

_STANDARD_TAG = "tag:yaml.org,2002:"




class _Readable(Protocol):
    def open(self, mode: str = ...) -> Any: ...


def _written(tag: str) -> str:
    """A tag as it is written in the file.

    >>> _written("tag:yaml.org,2002:python/object:os.system"), _written("!secret")
    ('!!python/object:os.system', '!secret')
    """
    return "!!" + tag[len(_STANDARD_TAG):] if tag.startswith(_STANDARD_TAG) else tag


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 1


def _check_events(text: str, source: str, loader: type) -> None:
    """Refuse anchors, aliases, tags and deep nesting, reading the document's events (no values are built).

    Reading the events costs less than building the values; a refused file
    stops at its first anchor, alias or tag.
    """
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            raise SettingsFileError(
                f"{source}, line {_line(event.start_mark)}: an alias (*{event.anchor}): expected every value written "
                "out in full (perfkit's settings files use no YAML anchors or aliases)")
        anchor, tag = getattr(event, "anchor", None), getattr(event, "tag", None)
        if anchor is not None:
            raise SettingsFileError(
                f"{source}, line {_line(event.start_mark)}: an anchor (&{anchor}): expected every value written "
                "out in full (perfkit's settings files use no YAML anchors or aliases)")
        if tag is not None:
            raise SettingsFileError(
                f"{source}, line {_line(event.start_mark)}: a tag ({_written(tag)}): expected plain values "
                "(text, numbers, dates, lists and mappings) with no YAML tags")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise SettingsFileError(
                    f"{source}, line {_line(event.start_mark)}: lists and mappings nested more than "
                    f"{MAX_YAML_DEPTH} deep: expected a simple settings file")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _syntax_error(exc: Exception, source: str, text: str) -> SettingsFileError:
    """A YAML error as one line naming the file and the line.

    >>> import yaml
    >>> try:
    ...     yaml.load("a: 1\\nb: [1, 2\\nc: 3\\n", Loader=_loader())
    ... except yaml.YAMLError as exc:
    ...     print(_syntax_error(exc, "t.yaml", ""))  # libyaml's words (PyYAML's own differ)
    t.yaml, line 3: not valid YAML: ... (while parsing a flow sequence, line 2): expected name: value lines, nested by indenting with spaces
    """
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow; its position, not a mark
        # libyaml counts the position in bytes of the UTF-8 text, PyYAML's own reader in characters
        before = text.encode("utf-8")[:exc.position] if hasattr(yaml, "CSafeLoader") else text[:exc.position]
        line = before.count(b"\n" if isinstance(before, bytes) else "\n") + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        return SettingsFileError(f"{source}, line {line}: character #x{character:04x}: {' '.join(str(exc.reason).split())}: "
                                 "expected printable text")
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    mark = getattr(exc, "problem_mark", None)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and _line(context_mark) != _line(mark):
        problem += f" ({context}, line {_line(context_mark)})"
    elif context:
        problem += f" ({context})"
    if isinstance(exc, yaml.constructor.ConstructorError):
        return SettingsFileError(f"{source}, line {_line(mark)}: {' '.join(problem.split())}")
    return SettingsFileError(f"{source}, line {_line(mark)}: not valid YAML: {' '.join(problem.split())}: "
                             "expected name: value lines, nested by indenting with spaces")


@lru_cache(maxsize=1)
def _loader() -> type:
    """PyYAML's safe loader (libyaml's when installed) whose values that cannot be built name their line.

    A date that is no date (``2024-02-30``) or a number too long to read
    raises a ``ValueError`` in the constructor, without a line: it is
    raised again as a YAML error at the value's line.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, OverflowError) as exc:
                text = node.value if isinstance(node.value, str) else f"a {node.id}"
                value = text if len(text) <= 40 else f"{text[:40]}..."
                raise yaml.constructor.ConstructorError(
                    None, None, f"value {value!r} cannot be read ({str(exc).split(';')[0]}): expected a plain value",
                    node.start_mark) from None

    return Loader


def parse_yaml(text: str, source: str = "<text>") -> Any:
    """Parse YAML safely (no arbitrary objects), with libyaml's fast loader when it is installed.

    Anchors, aliases and tags are refused, as is text longer than
    :data:`MAX_YAML_BYTES`; a refusal or a syntax error is a
    :class:`SettingsFileError` naming ``source`` and the line.

    >>> parse_yaml("authority: '990'\\nclosure_days: [2024-12-27]")
    {'authority': '990', 'closure_days': [datetime.date(2024, 12, 27)]}
    >>> parse_yaml("a: &x [1, 2]\\nb: *x", "t.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsFileError: t.yaml, line 1: an anchor (&x): expected every value written out in full (perfkit's settings files use no YAML anchors or aliases)
    >>> parse_yaml("a: 1\\nb: !!python/object:os.system x", "t.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsFileError: t.yaml, line 2: a tag (!!python/object:os.system): expected plain values (text, numbers, dates, lists and mappings) with no YAML tags
    >>> parse_yaml("closure_days:\\n  - 2024-02-30", "t.yaml")
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsFileError: t.yaml, line 2: value '2024-02-30' cannot be read (day is out of range for month): expected a plain value
    """
    import yaml  # imported here: keeps ``import perfkit`` light

    if len(text) > MAX_YAML_BYTES:
        raise SettingsFileError(f"{source}, line 1: the file holds {len(text):,} characters: expected a settings file "
                                f"of at most {MAX_YAML_BYTES:,} bytes")
    loader = _loader()
    try:
        _check_events(text, source, loader)
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source, text) from None


def read_yaml(path: str | Path | _Readable) -> dict:
    """A settings file's mapping of names to values (empty for an empty file).

    ``path``: a path, or a packaged resource (:func:`importlib.resources.files`).
    At most :data:`MAX_YAML_BYTES` bytes are read; the file must be UTF-8
    (a byte-order mark is allowed) and hold a mapping (``name: value`` lines).

    Raises
    ------
    SettingsFileError
        Naming the file and the line: too large, not UTF-8, not valid YAML,
        an anchor, alias or tag, or not a mapping.
    OSError
        If the file cannot be opened.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "990.yaml"
    >>> _ = path.write_text("authority: '990'\\nname: Northmoor\\n")
    >>> read_yaml(path)
    {'authority': '990', 'name': 'Northmoor'}
    >>> _ = path.write_text("authority: '990'\\nname: [Northmoor\\n")
    >>> read_yaml(path)
    Traceback (most recent call last):
    ...
    perfkit.errors.SettingsFileError: .../990.yaml, line 3: not valid YAML: ...
    """
    path = Path(path) if isinstance(path, str) else path
    source = str(path)
    with path.open("rb") as file:
        data = file.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise SettingsFileError(f"{source}: the file is larger than {MAX_YAML_BYTES:,} bytes: expected a settings "
                                "file of a few kilobytes (perfkit's largest is about 20 KB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SettingsFileError(
            f"{source}, line {line}: byte 0x{data[exc.start]:02x} is not UTF-8: "
            "expected a UTF-8 text file (save it as UTF-8)") from None
    document = parse_yaml(text, source)
    if document is None:
        return {}
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"the single value {document!r}"[:80]
        raise SettingsFileError(f"{source}, line 1: the file holds {kind}: expected name: value lines (a mapping)")
    return document
