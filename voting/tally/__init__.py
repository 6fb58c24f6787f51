"""Tally engine (pure Python + NumPy)."""
