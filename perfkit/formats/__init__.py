"""Statutory return formats in and out: Annex A, SSDA903, shared cleaning."""
