"""Recorded smttask tasks write a Sumatra lab book."""

__version__ = "0.3.0.dev0"
