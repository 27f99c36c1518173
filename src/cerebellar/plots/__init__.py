"""Figures that span experiments (sweeps); each experiment draws its own figure."""
