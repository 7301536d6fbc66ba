"""Plugin entry point of smttask_cli (registered under the ``smttask`` entry-point group)."""
