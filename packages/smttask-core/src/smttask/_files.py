"""The old private home of :mod:`smttask.files`, kept so code written against it still imports."""

from .files import (  # noqa: F401
    TEMP_SUFFIX,
    TempFile,
    abandoned,
    atomic_path,
    disk_full,
    fsync_directory,
    host_id,
    make_dirs,
    parse_temp_name,
    pid_alive,
    temp_name,
    temp_tag,
    write_atomic,
)
