"""The ``smttask`` console script."""

import click


@click.group()
@click.version_option(package_name="smttask-cli")
def cli() -> None:
    """smttask: run and inspect smttask tasks."""


def main() -> None:
    cli()
