"""The linkage secret: the one module that holds it (reporter side only).

Registry code never imports this module (a test checks ``sys.modules``);
reporters' Ed25519 signing keys live with the submission format in
:mod:`linkage.submission`. The linkage secret is 32 random bytes. It is read from a key file or from an
environment variable, never from a command-line argument or a typed string.
Its *key id* is derived from it with HKDF (a keyed function), so the id names the
key without revealing it; every submission and stored encoding carries it.

Key files are small armoured text files, so that a human who opens one sees
what it is, and so that registry tools can recognise (and refuse) one.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from linkage.errors import KeyFileError, KeyMaterialError
from linkage.files import (
    KIND_NAMES,
    SECRET_ENV,
    SECRET_FILE_ENV,
    SECRET_FOOTER,
    SECRET_HEADER,
    check_private_permissions,
    file_kind,
    write_private_file,
)

SECRET_BYTES = 32

_KEY_ID_INFO = b"linkage/v1/key-id"
_FIELD_INFO = b"linkage/v1/field/"


def _hkdf(key: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


class LinkageKey:
    """The linkage secret. Holds bytes; its repr and str never show them.

    Build one with :func:`generate_linkage_key`, :func:`read_linkage_key` or
    :func:`linkage_key_from_env`. Accepting ``bytes`` only (not ``str``) keeps
    people from typing secrets.
    """

    __slots__ = ("_secret", "_key_id")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, (bytes, bytearray)):
            raise KeyMaterialError("a linkage key must be bytes, not text")
        if len(secret) != SECRET_BYTES:
            raise KeyMaterialError(f"a linkage key must be exactly {SECRET_BYTES} bytes")
        self._secret = bytes(secret)
        self._key_id = "kid-" + _hkdf(self._secret, _KEY_ID_INFO, 16).hex()

    @property
    def key_id(self) -> str:
        """Public identifier of this key (derived with HKDF; reveals nothing of the key)."""
        return self._key_id

    def field_subkey(self, field_name: str) -> bytes:
        """Per-field subkey for bit-position PRFs, derived with HKDF."""
        return _hkdf(self._secret, _FIELD_INFO + field_name.encode("utf-8"))

    def subkey(self, purpose: str) -> bytes:
        """Per-purpose subkey (hardening steps), derived with HKDF."""
        return _hkdf(self._secret, b"linkage/v1/purpose/" + purpose.encode("utf-8"))

    def __repr__(self) -> str:
        return f"LinkageKey(key_id={self._key_id!r}, secret=<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LinkageKey):
            return NotImplemented
        return secrets.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self._key_id)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("LinkageKey cannot be pickled")


def generate_linkage_key() -> LinkageKey:
    """A new random linkage secret from the operating system's CSPRNG."""
    return LinkageKey(secrets.token_bytes(SECRET_BYTES))


def _armour(secret: bytes) -> str:
    return f"{SECRET_HEADER}\n{base64.b64encode(secret).decode('ascii')}\n{SECRET_FOOTER}\n"


def _parse_armour(text: str) -> bytes:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if len(lines) != 3 or lines[0] != SECRET_HEADER or lines[2] != SECRET_FOOTER:
        raise KeyFileError("not a linkage secret file (expected the LINKAGE SECRET armour)")
    try:
        raw = base64.b64decode(lines[1], validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError("linkage secret file is corrupt (bad base64)") from None
    if len(raw) != SECRET_BYTES:
        raise KeyFileError("linkage secret file is corrupt (wrong length)")
    return raw


def write_linkage_key(key: LinkageKey, path: str | Path) -> None:
    """Write the secret to a new file with mode 0600 (never overwrites)."""
    write_private_file(Path(path), _armour(key._secret).encode("ascii"))


def read_linkage_key(path: str | Path) -> LinkageKey:
    """Read a linkage secret file written by :func:`write_linkage_key`."""
    p = Path(path)
    kind = file_kind(p)
    if kind in ("private_key", "public_key", "submission"):
        raise KeyFileError(f"{p.name!r} holds {KIND_NAMES[kind]}, not the linkage secret")
    try:
        check_private_permissions(p)
        text = p.read_text("ascii")
    except FileNotFoundError:
        raise KeyFileError(f"key file {p.name!r} does not exist") from None
    except UnicodeDecodeError:
        raise KeyFileError("not a linkage secret file (not ASCII text)") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {p.name!r}: {exc.strerror}") from None
    return LinkageKey(_parse_armour(text))


def linkage_key_from_env(environ: dict[str, str] | None = None) -> LinkageKey | None:
    """The secret from ``LINKAGE_SECRET_FILE`` (a path) or ``LINKAGE_SECRET`` (armour or base64).

    Returns ``None`` when neither is set.
    """
    env = os.environ if environ is None else environ
    file = env.get(SECRET_FILE_ENV)
    if file:
        return read_linkage_key(file)
    value = env.get(SECRET_ENV)
    if not value:
        return None
    if SECRET_HEADER in value:
        return LinkageKey(_parse_armour(value))
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError(f"{SECRET_ENV} is not base64 or an armoured linkage secret") from None
    return LinkageKey(raw)
