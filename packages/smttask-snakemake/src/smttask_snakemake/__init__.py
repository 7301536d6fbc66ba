"""Run smttask task files through Snakemake (local cores, SLURM, clusters).

This package is a placeholder: its capabilities arrive with their own issue.
It registers as an smttask plugin so `smttask plugins` lists it.
"""

__version__ = "0.3.0.dev0"
