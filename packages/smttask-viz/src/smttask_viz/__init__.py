"""Pictures of smttask task graphs and records (static SVG/PNG and interactive HTML).

This package is a placeholder: its capabilities arrive with their own issue.
It registers as an smttask plugin so `smttask plugins` lists it.
"""

__version__ = "0.3.0.dev0"
