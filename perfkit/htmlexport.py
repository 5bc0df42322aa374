"""Export an executed report notebook to member HTML: no code, offline, charts drawn.

The custom nbconvert template (``templates/perfkit_member``) drops code cells
and every script or stylesheet the standard template would fetch from the
network (require.js, MathJax, widget managers), inlines the Vega, Vega-Lite and
Vega-Embed libraries once per page from ``vl-convert-python``, and draws each
chart from its Vega-Lite specification.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

TEMPLATE = "perfkit_member"
VEGALITE_VERSION = "5.20"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
ANALYST_ONLY_TAG = "analyst-only"


def chart_id(spec: dict) -> str:
    """A stable element id for a chart: the same spec always gets the same id.

    >>> chart_id({"mark": "line"}) == chart_id({"mark": "line"})
    True
    """
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return f"pk-chart-{digest}"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (defines ``window.vegaEmbed``)."""
    import vl_convert

    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION)
    return bundle.replace("</script", "<\\/script")


def templates_dir() -> Path:
    return Path(str(resources.files("perfkit").joinpath("templates")))


def member_html(notebook) -> str:
    """Member HTML of an executed notebook (a ``nbformat.NotebookNode``)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from nbconvert.utils.base import NbConvertBase
    from traitlets.config import Config

    priority = [VEGALITE_MIMETYPE, *NbConvertBase().display_data_priority]
    exporter = HTMLExporter(
        config=Config({"NbConvertBase": {"display_data_priority": priority}}),
        template_name=TEMPLATE,
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={ANALYST_ONLY_TAG}), enabled=True)
    exporter.register_filter("perfkit_chart_id", chart_id)
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        notebook, resources={"perfkit_vega_js": vega_bundle(), "perfkit_css": css}
    )
    return body
