"""Files both sides write and recognise: atomic writes, private files, key-file sniffing.

Nothing here holds or derives a key. Registry commands use
:func:`looks_like_key_file` to refuse a linkage secret or a private signing key
handed to them by mistake; reporter and registry code write every output with
:func:`atomic_write_bytes` (temp file beside the target, fsync, rename, fsync
of the directory), so a reader never sees a half-written file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from linkage.errors import KeyFileError, LinkageError

__all__ = [
    "PRIVATE_KEY_MARKER",
    "SECRET_ENV",
    "SECRET_FILE_ENV",
    "SECRET_FOOTER",
    "SECRET_HEADER",
    "atomic_write_bytes",
    "check_private_permissions",
    "fsync_directory",
    "looks_like_key_file",
    "write_private_file",
]

#: Armour lines of a linkage secret file (see :mod:`linkage.encode`).
SECRET_HEADER = "-----BEGIN LINKAGE SECRET-----"
SECRET_FOOTER = "-----END LINKAGE SECRET-----"
#: Environment variables a reporter may use to hand over the secret; registry commands refuse to run while set.
SECRET_ENV = "LINKAGE_SECRET"
SECRET_FILE_ENV = "LINKAGE_SECRET_FILE"
#: What every PEM private key (PKCS#8 or traditional) contains.
PRIVATE_KEY_MARKER = b"PRIVATE KEY-----"


def looks_like_key_file(path: str | Path) -> bool:
    """True if ``path`` holds a linkage secret or a private signing key.

    Registry commands use this to refuse key files handed to them by mistake.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return SECRET_HEADER.encode() in head or PRIVATE_KEY_MARKER in head


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (no-op where directories cannot be fsynced)."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform without directory fds
        return
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover - platform without directory fsync
        pass
    finally:
        os.close(dfd)


def atomic_write_bytes(
    path: str | Path, chunks: Iterable[bytes], *, overwrite: bool = False, mode: int = 0o600
) -> None:
    """Write ``chunks`` to ``path`` atomically: temp file beside it, fsync, rename, fsync the directory.

    The file gets ``mode`` (0600 unless said otherwise). Refuses to replace an
    existing file unless ``overwrite``. On any failure the temp file is removed
    and ``path`` is untouched.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise LinkageError(f"refusing to overwrite existing file {path.name!r}")
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            for c in chunks:
                fh.write(c)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_directory(path.parent)


def write_private_file(path: str | Path, data: bytes) -> None:
    """Create ``path`` with mode 0600, refusing to overwrite, and fsync it (key files)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(f"refusing to overwrite existing file {path.name!r}") from None
    except OSError as exc:
        raise KeyFileError(f"cannot create key file {path.name!r}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def check_private_permissions(path: Path) -> None:
    """Refuse a key file that others can read (POSIX): the fix is ``chmod 600``."""
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path.name!r} is readable by others (mode {stat.S_IMODE(mode):o}); "
            "run: chmod 600 on it"
        )
