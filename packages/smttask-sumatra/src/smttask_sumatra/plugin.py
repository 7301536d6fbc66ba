"""Plugin entry point of smttask_sumatra (registered under the ``smttask`` entry-point group)."""
