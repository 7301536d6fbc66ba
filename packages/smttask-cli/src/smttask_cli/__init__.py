"""The smttask command line: run task files at scale, list plugins, inspect tasks."""

__version__ = "0.3.0.dev0"
