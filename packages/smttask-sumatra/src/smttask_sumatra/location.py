"""Where a record store lives: an SQLite file, or a database on a PostgreSQL server.

A server store is named by a URL, ``postgresql://USER@HOST[:PORT]/DATABASE``.
The URL never holds the password: it is written into ``.smt/project`` and
``smttask.toml``, which are committed. The password comes from where
PostgreSQL's own tools look: ``PGPASSWORD``, or ``~/.pgpass`` (``PGPASSFILE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import SumatraConfigError

#: URL schemes naming a PostgreSQL server (Sumatra's own ``smt init --store`` takes ``postgres://``).
SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class ServerStore:
    """A record store in a database on a PostgreSQL server."""

    user: str
    host: str
    port: int | None
    database: str

    @classmethod
    def parse(cls, url: str) -> ServerStore:
        """The server store *url* names; :class:`SumatraConfigError` saying what is wrong with it."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise SumatraConfigError(f"Record store URL {url!r} is malformed ({exc}).") from None
        if parts.scheme not in SCHEMES:
            raise SumatraConfigError(
                f"Record store URL {url!r}: the scheme must be postgresql:// "
                "(e.g. postgresql://me@db.example.org/labbook)."
            )
        if parts.password is not None:
            raise SumatraConfigError(
                f"Record store URL for {parts.hostname!r} holds a password: leave it out of the URL "
                "(it would be written into .smt/project and smttask.toml) and give it in PGPASSWORD "
                "or ~/.pgpass instead."
            )
        database = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not parts.username or not database or "/" in database:
            raise SumatraConfigError(
                f"Record store URL {url!r} must name a user, a host and a database: "
                "postgresql://USER@HOST[:PORT]/DATABASE."
            )
        return cls(unquote(parts.username), parts.hostname, port, database)

    @property
    def url(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        return f"postgresql://{self.user}@{self.host}{port}/{self.database}"

    def __str__(self) -> str:
        return self.url

    def django_database(self, timeout: float) -> dict[str, Any]:
        """Django's ``DATABASES`` entry for this store (libpq finds the password)."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.database,
            "USER": self.user,
            "HOST": self.host,
            "PORT": str(self.port or ""),
            "OPTIONS": {"connect_timeout": max(1, round(timeout))},
        }


#: A record store's location: the SQLite file, or the server database.
StoreLocation = Path | ServerStore


def parse_location(text: str, root: Path) -> StoreLocation:
    """The store *text* names: a ``postgresql://`` URL, or an SQLite file (relative to *root*)."""
    if "://" in text:
        return ServerStore.parse(text)
    path = Path(text).expanduser()
    return path if path.is_absolute() else root / path


def is_server(location: StoreLocation) -> bool:
    return isinstance(location, ServerStore)
