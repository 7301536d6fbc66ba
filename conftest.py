"""Suite-wide test configuration: the ``service`` marker.

A test that needs a running service (a PostgreSQL or SSH server, a SLURM or Dask
cluster, smtweb, a Jupyter kernel, headless Chromium) is marked ``service``,
found by the fixtures it uses, so ``pytest -m "not service"`` (``make
test-quick``) runs every other test. A module that starts a service without
one of these fixtures says so itself with ``pytestmark = pytest.mark.service``.
"""

from __future__ import annotations

import pytest

#: Fixtures that start (or connect to) a service; a test using one is a service test.
SERVICE_FIXTURES = frozenset({"pg_server", "sshd", "slurm", "cluster", "cluster_of_three", "smtweb", "chromium"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "service: needs a running service (database, SSH server, cluster, kernel, browser)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVICE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.service)
