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
from html import escape
from functools import lru_cache
from importlib import resources
from pathlib import Path

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

    cache = Path(os.environ.get("PERFKIT_CACHE", Path.home() / ".cache" / "perfkit"))
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
        f'.catch(function (error) {{ document.getElementById("{element}").textContent = "Chart could not be drawn: " + error; }});'
        "</script>"
        + (f'<details class="pk-chart-table"><summary>Table of the figures in this chart</summary>{table}</details>' if table else "")
        + "</figure>"
    )


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
            data = output.get("data", {})
            if VEGALITE_MIMETYPE in data:
                output["data"] = {"text/html": chart_html(data[VEGALITE_MIMETYPE])}
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return converted


def templates_dir() -> Path:
    return Path(str(resources.files("perfkit").joinpath("templates")))


def member_html(notebook) -> str:
    """Member HTML of an executed notebook (a ``nbformat.NotebookNode``)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}), enabled=True)
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        member_notebook(notebook), resources={"perfkit_vega_js": vega_bundle(), "perfkit_css": css}
    )
    return body
