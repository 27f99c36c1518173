"""Shared machinery used by every model: parameters, checks, results, registry, progress, plots."""
