"""Authority codes: the three-digit DfE LA numbers that name reports, files and pages.

An authority's code becomes a file name (``<code>.html``), part of a page and
a filter on the records, so it is checked wherever it comes in (a parameters
file, its file name, the command line) before it is used: exactly three ASCII
digits, ``^\\d{3}$`` with no trailing newline and no other script's digits.

>>> la_code("886", "the command line")
'886'
>>> la_code("../886", "990.yaml, key 'authority'")
Traceback (most recent call last):
...
perfkit.errors.AuthorityCodeError: 990.yaml, key 'authority': authority code '../886': expected a three-digit LA number such as '886'
"""

from __future__ import annotations

import re

from perfkit.errors import AuthorityCodeError

LA_CODE = re.compile(r"[0-9]{3}")
"""Three ASCII digits, matched whole (``fullmatch``): ``\\d`` would take other scripts' digits, ``$`` a newline."""
EXPECTED = AuthorityCodeError.EXPECTED




def la_code(value: object, where: str) -> str:
    """``value`` as an authority code (a string of three ASCII digits), or :class:`AuthorityCodeError`.

    ``where`` names where the value came from (a file and key, a file name, an
    option), for the message. A whole number is taken as written (YAML reads an
    unquoted ``886`` as a number); anything else that is not a string is refused.

    >>> la_code(990, "990.yaml, key 'authority'")
    '990'
    >>> la_code("990\\n", "--authority")
    Traceback (most recent call last):
    ...
    perfkit.errors.AuthorityCodeError: --authority: authority code '990\\n': expected a three-digit LA number such as '886'
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise AuthorityCodeError(value, where)
    text = value if isinstance(value, str) else str(value)
    if not LA_CODE.fullmatch(text):
        raise AuthorityCodeError(value, where)
    return text
