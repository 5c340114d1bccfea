"""Keys: the linkage secret (shared by reporters) and reporters' signing keys.

The linkage secret is 32 random bytes. It is read from a key file or from an
environment variable, never from a command-line argument or a typed string.
Its *key id* is derived from it with HKDF (a keyed function), so the id names the
key without revealing it; every submission and stored encoding carries it.

Key files are small armoured text files, so that a human who opens one sees
what it is, and so that registry tools can recognise (and refuse) one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from linkage.errors import KeyError_, KeyFileError

SECRET_BYTES = 32
SECRET_HEADER = "-----BEGIN LINKAGE SECRET-----"
SECRET_FOOTER = "-----END LINKAGE SECRET-----"
SECRET_ENV = "LINKAGE_SECRET"
SECRET_FILE_ENV = "LINKAGE_SECRET_FILE"

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
            raise KeyError_("a linkage key must be bytes, not text")
        if len(secret) != SECRET_BYTES:
            raise KeyError_(f"a linkage key must be exactly {SECRET_BYTES} bytes")
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


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600, refusing to overwrite, and fsync it."""
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


def write_linkage_key(key: LinkageKey, path: str | Path) -> None:
    """Write the secret to a new file with mode 0600 (never overwrites)."""
    _write_private(Path(path), _armour(key._secret).encode("ascii"))


def _check_permissions(path: Path) -> None:
    if os.name != "posix":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"key file {path.name!r} is readable by others (mode {stat.S_IMODE(mode):o}); "
            "run: chmod 600 on it"
        )


def read_linkage_key(path: str | Path) -> LinkageKey:
    """Read a linkage secret file written by :func:`write_linkage_key`."""
    p = Path(path)
    try:
        _check_permissions(p)
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
        raise KeyError_(f"{SECRET_ENV} is not base64 or an armoured linkage secret") from None
    return LinkageKey(raw)


def looks_like_key_file(path: str | Path) -> bool:
    """True if ``path`` holds a linkage secret or a private signing key.

    Registry commands use this to refuse key files handed to them by mistake.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return SECRET_HEADER.encode() in head or b"PRIVATE KEY-----" in head


# ---------------------------------------------------------------------------
# Reporter signing keys (Ed25519)


def generate_signing_key() -> Ed25519PrivateKey:
    """A new Ed25519 private key for a reporter."""
    return Ed25519PrivateKey.generate()


def write_signing_key(private: Ed25519PrivateKey, private_path: str | Path, public_path: str | Path) -> None:
    """Write a private key (PKCS#8 PEM, mode 0600) and its public key (PEM)."""
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = public_pem(private.public_key())
    pub_path = Path(public_path)
    if pub_path.exists():
        raise KeyFileError(f"refusing to overwrite existing file {pub_path.name!r}")
    _write_private(Path(private_path), pem)
    tmp = pub_path.with_name(pub_path.name + ".tmp")
    tmp.write_bytes(pub)
    os.replace(tmp, pub_path)


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def read_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Read a reporter's Ed25519 private key (PKCS#8 PEM, unencrypted)."""
    p = Path(path)
    try:
        _check_permissions(p)
        data = p.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"signing key file {p.name!r} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read signing key file {p.name!r}: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{p.name!r} is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{p.name!r} is not an Ed25519 private key")
    return key


def read_public_key(path: str | Path) -> Ed25519PublicKey:
    """Read a reporter's Ed25519 public key (PEM)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"public key file {p.name!r} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read public key file {p.name!r}: {exc.strerror}") from None
    if b"PRIVATE KEY" in data or SECRET_HEADER.encode() in data:
        raise KeyFileError(f"{p.name!r} holds a private key or secret; give the registry public keys only")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise KeyFileError(f"{p.name!r} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{p.name!r} is not an Ed25519 public key")
    return key


def public_key_id(public: Ed25519PublicKey) -> str:
    """Short fingerprint of a reporter's public key (public data, plain hash is fine)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]
