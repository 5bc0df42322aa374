"""Indicator definitions and their computation: catalogue, periods, working days, measures, breakdowns, engine, targets, data quality."""
