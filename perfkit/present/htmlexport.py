"""Export an executed report notebook to member HTML: no code, offline, charts drawn.

The custom nbconvert template (``templates/perfkit_member``) drops every script
or stylesheet the standard template would fetch from the network (require.js,
MathJax, widget managers) and inlines the Vega, Vega-Lite and Vega-Embed
libraries once per page from ``vl-convert-python``. Code cells, analyst-only
cells and stderr are left out, and each chart is drawn from its Vega-Lite
specification (aggregated values only) by a small script beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path

from perfkit.config import paths
from perfkit.present.page_styles import trim_borrowed_styles

TEMPLATE = "perfkit_member"
VEGALITE_VERSION = "5.20"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
ANALYST_ONLY_TAG = "analyst-only"
TABLE_KEY = "perfkit_table"


def chart_id(spec: dict) -> str:
    """A stable element id for a chart: the same spec always gets the same id.

    >>> chart_id({"mark": "line"}) == chart_id({"mark": "line"})
    True
    """
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return f"pk-chart-{digest}"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (defines ``window.vegaEmbed``).

    Bundling takes seconds, so the script is kept in the user's cache folder,
    keyed by the vl-convert and Vega-Lite versions.
    """
    import os
    import tempfile

    import vl_convert

    cache = paths.cache_dir()
    path = cache / f"vega-bundle-{vl_convert.__version__}-vl{VEGALITE_VERSION}.js"
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION).replace("</script", "<\\/script")
    try:
        cache.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(bundle)
        os.replace(temporary, path)
    except OSError:
        pass  # no writable cache: bundle again next time
    return bundle


def chart_html(spec: dict) -> str:
    """The HTML that draws one chart with the page's inlined Vega libraries.

    >>> "vegaEmbed" in chart_html({"mark": "line", "description": "A line"})
    True
    """
    element = chart_id(spec)
    label = escape(str(spec.get("description", "Chart")), quote=True)
    usermeta = dict(spec.get("usermeta", {}))
    table = usermeta.pop(TABLE_KEY, "")
    spec = {k: v for k, v in spec.items() if k != "usermeta"} | ({"usermeta": usermeta} if usermeta else {})
    payload = json.dumps(spec, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<figure class="pk-chart-figure"><div id="{element}" class="pk-chart" role="img" aria-label="{label}"></div>'
        f'<script type="text/javascript">vegaEmbed("#{element}", {payload}, {{"actions": false, "renderer": "svg"}})'
        # the figure's label and its table speak for the drawing: its marks are hidden from screen readers
        f'.then(function () {{ document.querySelectorAll("#{element} svg").forEach(function (svg) {{ svg.setAttribute("aria-hidden", "true"); }}); }})'
        f'.catch(function (error) {{ document.getElementById("{element}").textContent = "Chart could not be drawn: " + error; }});'
        "</script>"
        + (f'<details class="pk-chart-table"><summary>Table of the figures in this chart</summary>{table}</details>' if table else "")
        + "</figure>"
    )


NOTEBOOK_ONLY = "perfkit_notebook_only"
"""An output's metadata key for what JupyterLab needs and the member page does not (the report's styles,
which the page has in its head already)."""


def notebook_css() -> str:
    """The report's screen styles for its own tables and marks (``pk-`` classes), for JupyterLab: RAG colours,
    names left and figures right, the paper-only tables hidden. JupyterLab applies a notebook's styles to the
    whole window, so none of the page's own rules (prompts hidden, the body's width) are taken.

    >>> css = notebook_css()
    >>> ".pk-rag-red" in css and "jp-OutputArea-prompt" not in css and "@media" not in css
    True
    """
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    screen = css.split("@page", 1)[0].split("@media", 1)[0]
    return "\n".join(line for line in screen.splitlines() if "{" in line and "pk-" in line.split("{", 1)[0]
                     and "jp-OutputArea-prompt" not in line)


class NotebookStyle:
    """The report's styles as a notebook output (:func:`notebook_css`), left out of the member page."""

    def _repr_mimebundle_(self, include=None, exclude=None):
        return ({"text/html": f"<style>{notebook_css()}</style>", "text/plain": "The report's styles (for JupyterLab)"},
                {NOTEBOOK_ONLY: True})


def member_notebook(notebook):
    """A copy of ``notebook`` fit for members: charts as HTML that draws them, no stderr.

    Warnings and logs written to stderr are for analysts, never for members.
    Code cells that show nothing are dropped and cell ids are numbered in
    order, so the same figures always give the same bytes (papermill gives its
    injected-parameters cell a random id).
    """
    import copy

    converted = copy.deepcopy(notebook)
    converted.cells = [c for c in converted.cells if c.cell_type != "code" or c.get("outputs")]
    for number, cell in enumerate(converted.cells):
        cell["id"] = f"cell-{number:02d}"
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            if output.get("metadata", {}).get(NOTEBOOK_ONLY):  # the page has its styles in its head
                continue
            data = output.get("data", {})
            if VEGALITE_MIMETYPE in data:
                output["data"] = {"text/html": chart_html(data[VEGALITE_MIMETYPE])}
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return converted


def templates_dir() -> Path:
    return Path(str(resources.files("perfkit.present").joinpath("templates")))


_BODY = re.compile(r'<body\b[^>]*\bclass="[^"]*\bjp-Notebook\b')
_OUTPUT_DIV = re.compile(r'<div class="([^"]*\bjp-OutputArea-output\b[^"]*)"([^>]*)>')
_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
NO_ALT_TEXT = "No description has been provided for this image"


def accessible_body(html: str) -> str:
    """What nbconvert's HTML exporter adds after rendering, without parsing the page again.

    Every output can take keyboard focus (``tabindex="0"``: a wide table
    scrolls), and an image without alternative text says it has none. Only
    the notebook's body (from the template's ``<body class="jp-Notebook">``)
    is touched: the scripts inlined in the head are left as they are, though
    the Vega libraries hold text such as ``<body>`` and ``<img src=...>``.
    A fragment without that body tag is taken whole.

    >>> page = '<head><script>x = "<body><img src=${u}>"</script></head><body class="jp-Notebook">'
    >>> accessible_body(page + '<div class="jp-OutputArea-output" data-mime-type="text/html"><img src="a.png">')[len(page):]
    '<div class="jp-OutputArea-output" data-mime-type="text/html" tabindex="0"><img alt="No description has been provided for this image" src="a.png">'
    >>> accessible_body(page).startswith('<head><script>x = "<body><img src=${u}>"')
    True
    """
    found = _BODY.search(html)
    start = found.start() if found else 0
    body = _OUTPUT_DIV.sub(lambda m: f'<div class="{m[1]}"{m[2]} tabindex="0">' if "tabindex=" not in m[2] else m[0], html[start:])
    body = _IMAGE_WITHOUT_ALT.sub(f'<img alt="{NO_ALT_TEXT}"', body)
    return html[:start] + body


@lru_cache(maxsize=1)
def _member_exporter():
    """One exporter per process: its templates are compiled once, not for every report."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class MemberExporter(HTMLExporter):
        """nbconvert's HTML exporter without its second pass through BeautifulSoup.

        ``HTMLExporter.from_notebook_node`` renders the page and then parses
        it whole (some 3,500 tags in a report, more than half the export's
        time) only to add focus and alternative text, which
        :func:`accessible_body` adds to the rendered text instead.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible_body(html), resources

    exporter = MemberExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}), enabled=True)
    return exporter


def rendered_page(notebook) -> str:
    """The page nbconvert renders from an executed notebook, with every style its template borrows."""
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    body, _ = _member_exporter().from_notebook_node(
        member_notebook(notebook), resources={"perfkit_vega_js": vega_bundle(), "perfkit_css": css}
    )
    return body


def member_html(notebook) -> str:
    """Member HTML of an executed notebook (a ``nbformat.NotebookNode``).

    The JupyterLab styles the template borrows are cut to the rules and
    properties the page uses (:func:`~perfkit.present.page_styles.trim_borrowed_styles`):
    some 245 kB a page, drawn the same.
    """
    return trim_borrowed_styles(rendered_page(notebook))
