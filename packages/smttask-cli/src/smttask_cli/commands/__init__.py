"""The built-in commands of ``smttask``: one module per command."""
