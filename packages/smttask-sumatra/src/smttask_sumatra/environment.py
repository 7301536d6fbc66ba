"""Facts about the running environment for a record, each gathered once per process.

Package versions come from ``importlib.metadata`` for the top-level packages
actually imported (milliseconds), not from Sumatra's dependency scan of the
main file (seconds). Platform facts come from :mod:`platform` with no network
probe (Sumatra's tries to reach the internet to find an IP address).
"""

from __future__ import annotations

import functools
import getpass
import importlib.metadata as metadata
import json
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from .gitstate import git


@dataclass(frozen=True)
class Package:
    """One imported top-level package and the version it was imported at."""

    name: str
    path: str
    version: str
    #: The distribution providing it (``pip install`` name), when known.
    distribution: str | None


@functools.cache
def python_version() -> str:
    return platform.python_version()


@functools.cache
def platform_facts() -> dict[str, str]:
    """The fields of a Sumatra ``PlatformInformation``."""
    bits, linkage = platform.architecture()
    uname = platform.uname()
    return {
        "architecture_bits": bits,
        "architecture_linkage": linkage,
        "machine": uname.machine,
        "network_name": uname.node,
        "ip_addr": "127.0.0.1",
        "processor": uname.processor or uname.machine,
        "release": uname.release,
        "system_name": uname.system,
        "version": uname.version,
    }


@functools.cache
def user(repo: Path | None) -> str:
    """Who runs the task: ``username`` in ``~/.smtrc`` (Sumatra's own rule), else git's user, else the login."""
    smtrc = Path.home() / ".smtrc"
    try:
        configured = json.loads(smtrc.read_text(encoding="utf-8")).get("username")
    except (OSError, ValueError, AttributeError):
        configured = None
    if isinstance(configured, str) and configured:
        return configured
    if repo is not None:
        try:
            name = git(repo, "config", "user.name", ok_codes=(0, 1)).strip()
            email = git(repo, "config", "user.email", ok_codes=(0, 1)).strip()
        except Exception:  # noqa: BLE001 - the user name is a nicety, never a reason to fail
            name = email = ""
        if name:
            return f"{name} <{email}>" if email else name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return ""


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@functools.cache
def _dist_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


_packages: dict[str, Package | None] = {}


def imported_packages() -> list[Package]:
    """The top-level packages imported in this process (standard library excluded), by name."""
    stdlib = sys.stdlib_module_names
    found = []
    for name in sorted({m.partition(".")[0] for m in list(sys.modules)}):
        if name in stdlib or name.startswith("_") or name == "__main__":
            continue
        if name not in _packages:
            _packages[name] = _describe(name)
        package = _packages[name]
        if package is not None:
            found.append(package)
    return found


def _describe(name: str) -> Package | None:
    """Version *name* cheaply: a distribution of the same name installed beside it, else its
    ``__version__``, else (once per process, ~0.2 s) the full module-to-distribution map."""
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if file is None:
        paths = list(getattr(module, "__path__", []) or [])
        file = paths[0] if paths else None
    if file is None:
        return None  # built-in or namespace module: nothing to version
    path = Path(file)
    location = str(path.parent if path.name == "__init__.py" else path)
    same_name = _same_name_distribution(name, path)
    if same_name is not None:
        return Package(name, location, same_name.version, same_name.metadata["Name"])
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return Package(name, location, version, None)
    distributions = _distributions().get(name) or []
    if distributions:
        return Package(name, location, _dist_version(distributions[0]), distributions[0])
    return None  # a local module: the record's git commit versions it


def _same_name_distribution(name: str, path: Path) -> metadata.Distribution | None:
    try:
        dist = metadata.distribution(name)
    except (metadata.PackageNotFoundError, ValueError):
        return None
    try:
        base = Path(dist.locate_file("")).resolve()
        path.resolve().relative_to(base)
    except (ValueError, OSError, TypeError):
        return None  # a distribution of that name, but not the one this module came from
    return dist
