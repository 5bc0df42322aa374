"""perfkit: quarterly performance indicators for children's social care.

Importing the package is cheap: it loads no data and no heavy library.
Use the submodules (``perfkit.engine``, ``perfkit.loading``, ``perfkit.report``)
or the ``perfkit`` command line.
"""

__version__ = "0.1.0"
