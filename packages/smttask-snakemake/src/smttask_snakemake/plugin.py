"""Plugin entry point of smttask_snakemake (registered under the ``smttask`` entry-point group)."""
