"""The counting functions of the catalogue's indicators, one module per family of indicators.

Each module declares its measures (:func:`perfkit.indicators.measure_base.measure`)
as it is imported; :mod:`perfkit.indicators.measures` imports them all.
"""
