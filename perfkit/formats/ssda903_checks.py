"""What an SSDA903 import says about records it keeps but doubts: each an :class:`ImportProblem`, never silence.

Every check takes the extracted parts (one row per file row, with the
columns ``__la`` (authority), ``__year`` (collection year), ``__file``,
``__sheet`` and ``__row``, where the row came from) and returns the
problems, naming the user's file, row, column and value:

- :func:`conflicting_children`: a child with two Header rows in one year
  that disagree (sex, date of birth, ethnicity): the last is kept;
- :func:`open_with_reason`: an episode with no end date (``DEC``) but a
  reason it ended (``REC``): the reason is ignored;
- :func:`overlapping_episodes`: a child's episode starting before their
  previous one ended: both are kept (counts of children in care take the
  one started later);
- :func:`children_without_header`: no Header at all (the ``children``
  table, which every dataset needs, cannot be made), or children with
  episodes, missing episodes or OC3 rows but no Header row;
- :func:`uasc_flags`: the ``uasc`` flag from the dates UASC ceased
  (``DUC``): a child is UASC at a date only before their ``DUC``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from perfkit.formats.import_log import LEFT_OUT, ImportProblem

WHERE = ("__file", "__sheet", "__row")


def _dmy(value) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def _problem(row: dict, column: str, value: object, expected: str, action: str) -> ImportProblem:
    return ImportProblem(row["__file"], row.get("__sheet") or "", row["__row"], column,
                         "" if value is None else str(value), expected, action)


def conflicting_children(header: pl.DataFrame) -> list[ImportProblem]:
    """Header rows of one child in one year (and authority) whose details differ: all but the last are warned about.

    >>> import datetime as dt
    >>> header = pl.DataFrame({"__la": ["990"] * 3, "__year": [2024] * 3, "__file": ["header.csv"] * 3, "__sheet": [""] * 3,
    ...     "__row": [1, 2, 3], "child_id": ["7", "7", "8"], "sex": ["M", "F", "F"],
    ...     "date_of_birth": [dt.date(2010, 1, 1)] * 3, "ethnicity": ["WBRI"] * 3})
    >>> print(conflicting_children(header)[0])
    header.csv, column 'SEX', row 1: value 'M': expected one Header row per child, but CHILD 7 has 2 with different details (rows 1, 2); the last (row 2) was kept
    """
    details = {"sex": "SEX", "date_of_birth": "DOB", "ethnicity": "ETHNIC"}
    key = ["__la", "__year", "child_id"]
    groups = header.group_by(key).agg(
        n=pl.len(), rows=pl.col("__row"), files=pl.col("__file").n_unique(),
        **{f"__n_{c}": pl.col(c).n_unique() for c in details},
    ).filter((pl.col("n") > 1) & pl.any_horizontal([pl.col(f"__n_{c}") > 1 for c in details]))
    if groups.height == 0:
        return []
    rows = header.join(groups.select(*key, "rows"), on=key).sort("__file", "__row")
    problems = []
    for (_, _, child), group in rows.group_by(key, maintain_order=True):
        kept = group.row(-1, named=True)
        listed = ", ".join(str(r) for r in group["__row"].to_list())
        for row in group.head(group.height - 1).iter_rows(named=True):
            differing = [h for c, h in details.items() if row[c] != kept[c]] or ["SEX"]
            column = differing[0]
            key = {v: k for k, v in details.items()}[column]
            value = row.get(f"__raw_{key}") or (_dmy(row[key]) if column == "DOB" else row[key])
            problems.append(_problem(
                row, column, value,
                f"one Header row per child, but CHILD {child} has {group.height} with different details (rows {listed})",
                f"the last (row {kept['__row']}) was kept"))
    return problems


def open_with_reason(episodes: pl.DataFrame) -> list[ImportProblem]:
    """Episodes without an end date (``DEC``) that carry a reason ceased (``REC``, raw in ``__rec``).

    >>> import datetime as dt
    >>> episodes = pl.DataFrame({"__file": ["e.csv"], "__sheet": [""], "__row": [4], "child_id": ["7"],
    ...     "episode_start": [dt.date(2023, 5, 1)], "episode_end": [None], "__rec": ["E11"]})
    >>> print(open_with_reason(episodes)[0])
    e.csv, column 'REC', row 4: value 'E11': expected no reason ceased while DEC is blank (CHILD 7's episode from 01/05/2023 is open); the reason was ignored: the episode is taken as open
    """
    rows = episodes.filter(pl.col("episode_end").is_null() & pl.col("__rec").is_not_null())
    return [_problem(r, "REC", r["__rec"],
                     f"no reason ceased while DEC is blank (CHILD {r['child_id']}'s episode from {_dmy(r['episode_start'])} is open)",
                     "the reason was ignored: the episode is taken as open")
            for r in rows.iter_rows(named=True)]


def overlapping_episodes(episodes: pl.DataFrame) -> list[ImportProblem]:
    """A child's episodes (one authority) where one starts before the one started before it has ended.

    >>> import datetime as dt
    >>> d = dt.date
    >>> episodes = pl.DataFrame({"__la": ["990"] * 3, "__file": ["e.csv"] * 3, "__sheet": [""] * 3, "__row": [1, 2, 3],
    ...     "child_id": ["7"] * 3, "episode_start": [d(2023, 1, 1), d(2023, 2, 1), d(2023, 6, 1)],
    ...     "episode_end": [d(2023, 3, 1), d(2023, 6, 1), None]})
    >>> print(overlapping_episodes(episodes)[0])
    e.csv, column 'DECOM', row 2: value '01/02/2023': expected each episode to start when the one before it ended or later, but CHILD 7's episode from 01/01/2023 (e.csv, row 1) ran to 01/03/2023; both were kept: a count of children in care at a date takes the one started later
    """
    ordered = episodes.sort("__la", "child_id", "episode_start", "__row")
    same = (pl.col("__la") == pl.col("__la").shift(1)) & (pl.col("child_id") == pl.col("child_id").shift(1))
    before_end = pl.col("episode_end").shift(1).is_null() | (pl.col("episode_start") < pl.col("episode_end").shift(1))
    flagged = ordered.with_columns(
        __prev_start=pl.col("episode_start").shift(1), __prev_end=pl.col("episode_end").shift(1),
        __prev_file=pl.col("__file").shift(1), __prev_row=pl.col("__row").shift(1),
    ).filter(same & before_end)
    return [_problem(
        r, "DECOM", _dmy(r["episode_start"]),
        f"each episode to start when the one before it ended or later, but CHILD {r['child_id']}'s episode from "
        f"{_dmy(r['__prev_start'])} ({r['__prev_file']}, row {r['__prev_row']}) "
        + (f"ran to {_dmy(r['__prev_end'])}" if r["__prev_end"] is not None else "had not ended"),
        "both were kept: a count of children in care at a date takes the one started later")
        for r in flagged.iter_rows(named=True)]


def children_without_header(parts: dict[str, pl.DataFrame], where: str) -> list[ImportProblem]:
    """No Header at all, or children named in other parts with no Header row (their details are unknown).

    Without a Header the ``children`` table, which every dataset needs, is
    not made: that is a problem leaving every child out of it.
    """
    others = [(kind, parts[kind]) for kind in ("episodes", "missing", "oc3") if kind in parts and parts[kind].height]
    if "header" not in parts or parts["header"].height == 0:
        if not others:
            return []
        children = pl.concat([f.select("__la", "child_id") for _, f in others]).unique()
        return [ImportProblem(
            where, expected="a Header file (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB) or XML HEADER: the children table, "
                            f"which every dataset needs, is made from it; {children.height} children have records but no details",
            action=f"{LEFT_OUT} of children: no children.csv was written, so the dataset will not validate until the "
                   "Header is imported with the other files")]
    known = parts["header"].select("__la", "child_id").unique()
    problems = []
    for kind, frame in others:
        lost = frame.join(known, on=["__la", "child_id"], how="anti").unique(["__la", "child_id"], keep="first", maintain_order=True)
        problems += [_problem(r, "CHILD", r["child_id"], f"a Header row for every child in the {kind} file",
                              "kept, but the child has no sex, date of birth or ethnicity: validate will warn")
                     for r in lost.iter_rows(named=True)]
    return problems


def uasc_flags(uasc: pl.DataFrame, header: pl.DataFrame | None, episodes: pl.DataFrame | None,
               data_end: dt.date | None = None) -> tuple[pl.DataFrame, list[ImportProblem]]:
    """Each UASC child's ``uasc`` flag and the date UASC ceased (``uasc_ceased``), from the UASC rows' ``DUC``.

    A child is UASC at a date only before their ``DUC``: the looked-after
    measures count a child with ``uasc`` Y as UASC at a window's end only
    before ``uasc_ceased``. ``uasc`` is ``Y`` for a child who was UASC on some
    day of care (no ``DUC``, or a ``DUC`` after their first episode began),
    or who has no episode (ever UASC); ``N``, with a warning, for a child whose
    ``DUC`` came before they were looked after. A ``DUC`` before the date of
    birth is warned about.

    >>> import datetime as dt
    >>> d = dt.date
    >>> uasc = pl.DataFrame({"__la": ["990"] * 2, "__file": ["u.csv"] * 2, "__sheet": [""] * 2, "__row": [1, 2],
    ...     "child_id": ["7", "8"], "duc": [d(2028, 1, 1), d(2020, 1, 1)]})
    >>> episodes = pl.DataFrame({"__la": ["990"] * 2, "child_id": ["7", "8"], "episode_start": [d(2023, 1, 1)] * 2,
    ...     "episode_end": [None, None]})
    >>> flags, problems = uasc_flags(uasc, None, episodes)
    >>> flags.rows()
    [('990', '7', 'Y', datetime.date(2028, 1, 1)), ('990', '8', 'N', datetime.date(2020, 1, 1))]
    >>> print(problems[0].action)
    uasc set to N: the child was not UASC on any day looked after
    """
    problems: list[ImportProblem] = []
    rows = uasc.sort("__row").group_by("__la", "child_id", maintain_order=True).agg(
        duc=pl.col("duc").max(), __file=pl.col("__file").last(), __sheet=pl.col("__sheet").last(), __row=pl.col("__row").last(),
        __missing_duc=pl.col("duc").null_count() > 0)
    rows = rows.with_columns(duc=pl.when(pl.col("__missing_duc")).then(None).otherwise(pl.col("duc")))
    if header is not None and header.height:
        born = header.group_by("__la", "child_id").agg(__born=pl.col("date_of_birth").max())
        early = rows.join(born, on=["__la", "child_id"], how="inner").filter(pl.col("duc") < pl.col("__born"))
        problems += [_problem(r, "DUC", _dmy(r["duc"]), f"a date UASC ceased after the child's date of birth ({_dmy(r['__born'])})",
                              "kept: the child is taken as having been UASC")
                     for r in early.iter_rows(named=True)]
    if episodes is not None and episodes.height:
        year = pl.col("__year").max() if "__year" in episodes.columns else pl.lit(None, pl.Int32)
        care = episodes.group_by("__la", "child_id").agg(
            __first=pl.col("episode_start").min(), __open=pl.col("episode_end").null_count() > 0, __last=pl.col("episode_end").max(),
            __seen=year)
        care = care.with_columns(__seen=pl.when(pl.col("__seen") > 0).then(pl.date(pl.col("__seen"), 3, 31))
                                 .otherwise(pl.lit(data_end or dt.date.max, pl.Date)))
        rows = rows.join(care, on=["__la", "child_id"], how="left")
    else:
        rows = rows.with_columns(__first=pl.lit(None, pl.Date), __open=pl.lit(None, pl.Boolean), __last=pl.lit(None, pl.Date),
                                 __seen=pl.lit(None, pl.Date))
    before_care = pl.col("duc").is_not_null() & pl.col("__first").is_not_null() & (pl.col("duc") <= pl.col("__first"))
    for r in rows.filter(before_care).iter_rows(named=True):
        problems.append(_problem(r, "DUC", _dmy(r["duc"]),
                                 f"a date UASC ceased after the child came into care ({_dmy(r['__first'])}): a child is UASC only before it",
                                 "uasc set to N: the child was not UASC on any day looked after"))
    flags = rows.select("__la", "child_id", pl.when(before_care).then(pl.lit("N")).otherwise(pl.lit("Y")).alias("uasc"),
                        pl.col("duc").alias("uasc_ceased"))
    return flags, problems
