"""Plugin entry point of smttask_viz (registered under the ``smttask`` entry-point group)."""
