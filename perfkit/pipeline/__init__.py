"""Orchestration: aggregates for reports, the batch, its kernels."""
