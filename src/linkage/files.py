"""Files both sides write and recognise: atomic and all-or-nothing writes, private files, key-file sniffing.

Nothing here holds or derives a key.

Recognising files
=================

:func:`file_kind` says what a file holds by its first bytes: a linkage secret,
a private signing key, a public key, a linkage submission, or something else.
Registry commands use it to refuse key files handed to them by mistake;
reporter commands use it to refuse a key or a submission given as the input
table, and ``--overwrite`` never replaces a file that holds a key (secret,
private or public).

Writing
=======

* :func:`atomic_write_bytes`: one file, atomically (temp file beside it,
  fsync, rename, fsync of the directory), so a reader never sees a
  half-written file.
* :func:`commit_files`: several files as **one unit** -- all of them or none,
  also when the process is killed at any moment. The protocol:

  1. every file is written to a temp file beside its target
     (``.<name>.<pid>-<random>.linkage-tmp``) and fsynced;
  2. a journal (``.<primary>.linkage-commit``, written atomically beside the
     *primary* file, the last of the unit) lists the temp files and their
     targets: from here on the unit is committed;
  3. with ``overwrite`` an old primary is removed first, so an old primary
     never sits beside new secondaries;
  4. the temp files are renamed into place, the primary last; the journal is
     removed.

  So a primary (the submission that goes to the registry) never exists
  without its secondaries (the reporter's id map). A run killed before step 2
  leaves only temp files: the next write of the same target removes them (a
  temp file whose process still runs is left alone). A run killed after step
  2 is completed by the next write of the same primary
  (:func:`recover_commit`), which reports it.

* :func:`write_private_file`: a new key file, mode 0600, never replacing
  anything (through :func:`commit_files`, so a kill never leaves half a key).

Before anything is written, :func:`check_outputs` refuses outputs whose
directory does not exist, that already exist (without ``overwrite``), that
hold a key or secret (always), that are a directory, that name one file twice,
or that are one of the run's inputs.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from linkage.errors import KeyFileError, LinkageError

__all__ = [
    "KIND_NAMES",
    "PRIVATE_KEY_MARKER",
    "PUBLIC_KEY_MARKER",
    "SECRET_ENV",
    "SECRET_FILE_ENV",
    "SECRET_FOOTER",
    "SECRET_HEADER",
    "SUBMISSION_MAGIC",
    "PendingFile",
    "atomic_write_bytes",
    "check_outputs",
    "check_private_permissions",
    "commit_files",
    "file_kind",
    "fsync_directory",
    "looks_like_key_file",
    "recover_commit",
    "remove_stale_temps",
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
#: What a PEM public key (SubjectPublicKeyInfo) starts with.
PUBLIC_KEY_MARKER = b"-----BEGIN PUBLIC KEY-----"
#: The first bytes of every linkage submission file (any format version).
SUBMISSION_MAGIC = b"LNKSUB\x00"

_TEMP_SUFFIX = ".linkage-tmp"
#: Files no write replaces, even with ``overwrite``: keys (a public key is replaced by hand, on purpose).
_NEVER_OVERWRITTEN = ("secret", "private_key", "public_key")
_JOURNAL_SUFFIX = ".linkage-commit"

#: What :func:`file_kind` returns, and how messages call it.
KIND_NAMES = {
    "secret": "a linkage secret",
    "private_key": "a private signing key",
    "public_key": "a public key",
    "submission": "a linkage submission",
}


def file_kind(path: str | Path) -> str | None:
    """``"secret"``, ``"private_key"``, ``"public_key"``, ``"submission"`` or ``None`` (anything else).

    Looks at the first 4 KiB only; a file that cannot be read is ``None``.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if head.startswith(SUBMISSION_MAGIC):
        return "submission"
    if SECRET_HEADER.encode() in head:
        return "secret"
    if PRIVATE_KEY_MARKER in head:
        return "private_key"
    if PUBLIC_KEY_MARKER in head:
        return "public_key"
    return None


def looks_like_key_file(path: str | Path) -> bool:
    """True if ``path`` holds a linkage secret or a private signing key.

    Registry commands use this to refuse key files handed to them by mistake.
    """
    return file_kind(path) in ("secret", "private_key")


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


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_outputs(
    outputs: Mapping[str, str | Path],
    *,
    overwrite: bool = False,
    inputs: Mapping[str, str | Path | None] | None = None,
) -> None:
    """Refuse, before anything is written, outputs that cannot or must not be written.

    ``outputs`` maps a label (``"--out"``, ``"the id map"``) to a path;
    ``inputs`` the run's input files the same way. Raises
    :class:`~linkage.errors.LinkageError` (:class:`~linkage.errors.KeyFileError`
    for a key file) naming the label and the file when an output's directory
    does not exist, when it is a directory, when it exists and ``overwrite`` is
    off, when it holds a key, secret or (without ``overwrite``) anything else,
    when two outputs are one file, or when an output is one of the inputs.
    """
    seen: list[tuple[str, Path]] = []
    for label, raw in outputs.items():
        p = Path(raw)
        parent = p.parent
        if not parent.is_dir():
            what = "is not a directory" if parent.exists() else "does not exist"
            raise LinkageError(f"{label}: directory {str(parent)!r} {what}; create it first (nothing was written)")
        if p.is_dir():
            raise LinkageError(f"{label}: {p.name!r} is a directory, not a file name (nothing was written)")
        if p.exists() or p.is_symlink():
            kind = file_kind(p)
            if kind in _NEVER_OVERWRITTEN:
                raise KeyFileError(
                    f"{label}: {p.name!r} holds {KIND_NAMES[kind]}; it is never overwritten, choose another name"
                )
            if not overwrite:
                raise LinkageError(
                    f"{label}: refusing to overwrite existing file {p.name!r} (--overwrite replaces it)"
                )
        for other_label, other in seen:
            if _same_file(p, other):
                raise LinkageError(f"{label} and {other_label} are the same file {p.name!r}; give two names")
        seen.append((label, p))
    for in_label, raw_in in (inputs or {}).items():
        if raw_in is None:
            continue
        q = Path(raw_in)
        for label, p in seen:
            if _same_file(p, q):
                raise LinkageError(f"{label} is the input {in_label} ({q.name!r}); it would be destroyed")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # pragma: no cover - cannot tell: leave the file alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    except OSError:  # pragma: no cover
        return True
    return True


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{_TEMP_SUFFIX}")


def _temp_owner(temp: Path, target: Path) -> int | None:
    """The pid in a temp file's name if it is a temp file of ``target``, else ``None``."""
    prefix = f".{target.name}."
    name = temp.name
    if not (name.startswith(prefix) and name.endswith(_TEMP_SUFFIX)):
        return None
    middle = name[len(prefix) : -len(_TEMP_SUFFIX)]
    pid, sep, rand = middle.partition("-")
    if not sep or not pid.isdigit() or not rand.isalnum():
        return None
    return int(pid)


def remove_stale_temps(path: str | Path) -> list[Path]:
    """Remove temp files of ``path`` left by killed runs (their process no longer runs); returns them."""
    target = Path(path)
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(f".{_glob_escape(target.name)}.*{_TEMP_SUFFIX}"))
    except OSError:  # pragma: no cover
        return removed
    for temp in candidates:
        pid = _temp_owner(temp, target)
        if pid is None or _pid_alive(pid):
            continue
        try:
            temp.unlink()
            removed.append(temp)
        except OSError:  # pragma: no cover - gone meanwhile or not ours
            pass
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _write_temp(path: Path, chunks: Iterable[bytes], mode: int) -> Path:
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # whatever the umask
        with os.fdopen(fd, "wb") as fh:
            for c in chunks:
                fh.write(c)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink_quietly(temp)
        raise
    return temp


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover
        pass


def atomic_write_bytes(
    path: str | Path, chunks: Iterable[bytes], *, overwrite: bool = False, mode: int = 0o600
) -> None:
    """Write ``chunks`` to ``path`` atomically: temp file beside it, fsync, rename, fsync the directory.

    The file gets ``mode`` (0600 unless said otherwise), whatever the umask.
    Refuses to replace an existing file unless ``overwrite``, and never
    replaces a key or secret file. On any failure the temp file is removed and
    ``path`` is untouched; temp files of ``path`` left by killed runs are removed.
    """
    path = Path(path)
    kind = file_kind(path) if path.exists() else None
    if kind in _NEVER_OVERWRITTEN:
        raise KeyFileError(f"{path.name!r} holds {KIND_NAMES[kind]}; it is never overwritten")
    if path.exists() and not overwrite:
        raise LinkageError(f"refusing to overwrite existing file {path.name!r}")
    if not path.parent.is_dir():
        raise LinkageError(f"directory {str(path.parent)!r} does not exist; nothing was written")
    remove_stale_temps(path)
    temp = _write_temp(path, chunks, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        _unlink_quietly(temp)
        raise
    fsync_directory(path.parent)


@dataclass(frozen=True)
class PendingFile:
    """One file of a unit :func:`commit_files` writes: where, what, and its mode."""

    path: Path
    chunks: Sequence[bytes]
    mode: int = 0o600


def _journal_path(primary: Path) -> Path:
    return primary.with_name(f".{primary.name}{_JOURNAL_SUFFIX}")


def _install(temp: Path, target: Path, overwrite: bool) -> None:
    """Move ``temp`` to ``target``; without ``overwrite`` never replace an existing file."""
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # atomic create-if-absent
    except FileExistsError:
        _unlink_quietly(temp)
        raise LinkageError(f"refusing to overwrite existing file {target.name!r}") from None
    except OSError:  # pragma: no cover - a file system without hard links
        if target.exists():
            _unlink_quietly(temp)
            raise LinkageError(f"refusing to overwrite existing file {target.name!r}") from None
        os.replace(temp, target)
        return
    _unlink_quietly(temp)


def recover_commit(primary: str | Path) -> list[Path]:
    """Finish a :func:`commit_files` unit whose run was killed after it committed; returns the files installed.

    Also removes temp files of ``primary`` that killed runs left before they
    committed. Nothing happens when there is nothing to recover.
    """
    primary = Path(primary)
    journal = _journal_path(primary)
    done: list[Path] = []
    if journal.exists():
        try:
            doc = json.loads(journal.read_text("utf-8"))
            entries = [(Path(e["temp"]), Path(e["path"])) for e in doc["files"]]
            overwrite = bool(doc.get("overwrite", False))
        except (OSError, ValueError, KeyError, TypeError):
            raise LinkageError(
                f"the journal of an interrupted write of {primary.name!r} is unreadable; remove "
                f"{journal.name!r} and any '{_TEMP_SUFFIX}' files beside it, then write again"
            ) from None
        for temp, target in entries:
            # Only temp files of their own target, in its own directory, are ever moved.
            if temp.parent != target.parent or _temp_owner(temp, target) is None:
                raise LinkageError(f"the journal {journal.name!r} is not one this program wrote; remove it")
        for temp, target in entries:
            if temp.exists():
                if overwrite or not target.exists():
                    os.replace(temp, target)
                    fsync_directory(target.parent)
                    done.append(target)
                else:
                    _unlink_quietly(temp)
        _unlink_quietly(journal)
        fsync_directory(journal.parent)
    remove_stale_temps(primary)
    return done


def commit_files(files: Sequence[PendingFile], *, overwrite: bool = False) -> list[Path]:
    """Write ``files`` as one unit: all of them or none, also when killed (see the module docstring).

    The **last** file is the primary: it is installed last, and an old one is
    removed before any new file is installed. Without ``overwrite`` no
    existing file is replaced; a key or secret file never is. Returns the
    files an earlier, interrupted unit with the same primary left and this
    call completed first (usually none).
    """
    if not files:
        return []
    paths = [Path(f.path) for f in files]
    primary = paths[-1]
    recovered = recover_commit(primary)
    for p in paths[:-1]:
        remove_stale_temps(p)
    check_outputs({str(p): p for p in paths}, overwrite=overwrite)
    temps: list[Path] = []
    journal = _journal_path(primary)
    try:
        for f, p in zip(files, paths, strict=True):
            temps.append(_write_temp(p, f.chunks, f.mode))
        doc = {
            "format": "linkage-commit",
            "version": 1,
            "overwrite": overwrite,
            "files": [{"temp": str(t.resolve()), "path": str(p.resolve())} for t, p in zip(temps, paths, strict=True)],
        }
        jtemp = _write_temp(journal, [json.dumps(doc).encode("utf-8")], 0o600)
        os.replace(jtemp, journal)
        fsync_directory(journal.parent)
    except BaseException:
        for t in temps:
            _unlink_quietly(t)
        raise
    # Committed: from here on an interruption is completed by the next write (recover_commit).
    if overwrite and primary.exists():
        primary.unlink()
        fsync_directory(primary.parent)
    for temp, p in zip(temps, paths, strict=True):
        _install(temp, p, overwrite)
        fsync_directory(p.parent)
    _unlink_quietly(journal)
    fsync_directory(journal.parent)
    return recovered


def write_private_file(path: str | Path, data: bytes) -> None:
    """Create ``path`` with mode 0600, refusing to overwrite anything; a kill never leaves half a file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise KeyFileError(f"cannot create key file {path.name!r}: directory {str(path.parent)!r} does not exist")
    if path.exists() or path.is_symlink():
        raise KeyFileError(f"refusing to overwrite existing file {path.name!r}")
    try:
        commit_files([PendingFile(path, [data], 0o600)], overwrite=False)
    except KeyFileError:
        raise
    except LinkageError as exc:
        raise KeyFileError(str(exc)) from None
    except OSError as exc:
        raise KeyFileError(f"cannot create key file {path.name!r}: {exc.strerror}") from None


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
