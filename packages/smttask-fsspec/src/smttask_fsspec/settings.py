"""The settings of the ``fsspec`` backend: ``storage_url`` and the ``[fsspec]`` table of the project configuration.

Credentials never go here (the configuration is committed with the code, and its
values may reach records): SSH logs in with keys, an agent or ``~/.ssh/config``
entries named by ``key_filename``; object stores read their usual environment
variables or credential files. A URL with a password, or an option named like a
secret, is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import StorageURLError

#: Settings of the backend itself; every other key of ``[fsspec]`` is passed to the fsspec filesystem.
_OWN = {"cache_dir", "cache_bytes"}
#: Option names that hold secrets (paramiko, s3fs, gcsfs, adlfs spellings).
_SECRETS = {"password", "passphrase", "secret", "key", "token", "secret_key", "access_key",
            "account_key", "sas_token", "session_token", "client_secret"}
DEFAULT_CACHE_BYTES = 1 << 30


@dataclass(frozen=True)
class Settings:
    """Where results go (protocol, host, root path) and how to reach and cache them."""

    url: str
    protocol: str
    root: str
    host: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    cache_dir: Path = Path()
    cache_bytes: int = DEFAULT_CACHE_BYTES


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "smttask", "fsspec")


def parse_settings(url: str, table: dict[str, Any], project_root: Path) -> Settings:
    """Check ``storage_url`` *url* and the ``[fsspec]`` *table*; errors say which value is wrong and what to write."""
    if not url:
        raise StorageURLError(
            'storage = "fsspec" needs a storage_url in the project configuration, '
            'e.g. storage_url = "sftp://user@host/shared/results" or "file:///shared/results".'
        )
    parts = urlsplit(url)
    protocol = parts.scheme.lower()
    if not protocol or "://" not in url:
        raise StorageURLError(
            f"storage_url {url!r} is not a URL: write it as PROTOCOL://HOST/PATH, e.g. sftp://host/results."
        )
    if parts.password is not None:
        raise StorageURLError(
            f"storage_url {parts._replace(netloc=parts.hostname or '').geturl()!r} holds a password: "
            "remove it and log in with an SSH key or agent (key_filename in [fsspec], or ~/.ssh/config)."
        )
    options: dict[str, Any] = {}
    for name, value in table.items():
        if name in _OWN:
            continue
        if name.lower() in _SECRETS:
            raise StorageURLError(
                f"[fsspec] option '{name}' holds a secret, which must not be written into the project "
                "configuration: use an SSH key or agent, or the storage's environment variables."
            )
        options[name] = os.path.expanduser(value) if name == "key_filename" and type(value) is str else value
    cache_bytes = table.get("cache_bytes", DEFAULT_CACHE_BYTES)
    if type(cache_bytes) is not int or cache_bytes < 0:
        raise StorageURLError(f"[fsspec] cache_bytes must be an integer, 0 or more, got {cache_bytes!r}.")
    cache_dir_value = table.get("cache_dir")
    if cache_dir_value is not None and (type(cache_dir_value) is not str or not cache_dir_value):
        raise StorageURLError(f"[fsspec] cache_dir must be a directory path, got {cache_dir_value!r}.")
    cache_dir = (
        project_root / os.path.expanduser(cache_dir_value) if cache_dir_value else _default_cache_dir()
    )
    host = ""
    if protocol in ("sftp", "ssh"):
        protocol = "sftp"
        if not parts.hostname:
            raise StorageURLError(f"storage_url {url!r} names no host: write sftp://[USER@]HOST[:PORT]/PATH.")
        host = parts.hostname
        try:
            port = parts.port
        except ValueError:
            raise StorageURLError(f"storage_url {url!r} has a port that is not a number.") from None
        if port is not None:
            options.setdefault("port", port)
        if parts.username:
            options.setdefault("username", unquote(parts.username))
        root = unquote(parts.path) or "/"
        if not root.startswith("/"):
            root = "/" + root
    elif protocol == "file":
        if parts.netloc not in ("", "localhost"):
            raise StorageURLError(
                f"storage_url {url!r} names a host; a file:// URL is a path on this machine: file:///PATH."
            )
        root = unquote(parts.path)
        if not root.startswith("/"):
            raise StorageURLError(f"storage_url {url!r} needs an absolute path: file:///PATH.")
    else:
        import fsspec

        try:
            fsspec.get_filesystem_class(protocol)
        except (ValueError, ImportError) as exc:
            raise StorageURLError(
                f"storage_url {url!r}: fsspec cannot open the protocol '{protocol}' ({exc}). "
                "Install the package that provides it (s3fs for s3://, gcsfs for gs://), or use sftp:// or file://."
            ) from None
        root = f"{parts.netloc}{unquote(parts.path)}".rstrip("/")
        if not parts.netloc:
            raise StorageURLError(f"storage_url {url!r} names no bucket or host: write {protocol}://BUCKET/PREFIX.")
    root = root.rstrip("/") or "/"
    return Settings(url, protocol, root, host, options, cache_dir, cache_bytes)
