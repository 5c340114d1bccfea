"""Reporters' Ed25519 signing keys: made and kept by each reporter, verified by the registry.

A reporter signs every submission with its private key (PKCS#8 PEM, mode
0600); the registry holds only public keys, one ``<reporter_id>.pub`` per
reporter, and verifies before it parses anything. Nothing here touches the
linkage secret.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from linkage.errors import KeyFileError
from linkage.files import (
    PRIVATE_KEY_MARKER,
    SECRET_HEADER,
    check_private_permissions,
    fsync_directory,
    write_private_file,
)

__all__ = [
    "REPORTER_ID_PATTERN",
    "generate_signing_key",
    "load_trusted_keys",
    "public_key_id",
    "public_pem",
    "read_public_key",
    "read_signing_key",
    "write_signing_key",
]

#: What a reporter id may look like (also the stem of its ``.pub`` file).
REPORTER_ID_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,63}$"


def generate_signing_key() -> Ed25519PrivateKey:
    """A new Ed25519 private key for a reporter."""
    return Ed25519PrivateKey.generate()


def public_pem(public: Ed25519PublicKey) -> bytes:
    """The public key as SubjectPublicKeyInfo PEM."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def write_signing_key(private: Ed25519PrivateKey, private_path: str | Path, public_path: str | Path) -> None:
    """Write a private key (PKCS#8 PEM, mode 0600) and its public key (PEM)."""
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = public_pem(private.public_key())
    pub_path = Path(public_path)
    if pub_path.exists():
        raise KeyFileError(f"refusing to overwrite existing file {pub_path.name!r}")
    write_private_file(Path(private_path), pem)
    tmp = pub_path.with_name(pub_path.name + ".tmp")
    tmp.write_bytes(pub)
    os.replace(tmp, pub_path)
    fsync_directory(pub_path.parent)


def read_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Read a reporter's Ed25519 private key (PKCS#8 PEM, unencrypted)."""
    p = Path(path)
    try:
        check_private_permissions(p)
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
    """Read a reporter's Ed25519 public key (PEM); refuses a file holding a private key or secret."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"public key file {p.name!r} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read public key file {p.name!r}: {exc.strerror}") from None
    if PRIVATE_KEY_MARKER in data or SECRET_HEADER.encode() in data:
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


def load_trusted_keys(directory: str | Path) -> dict[str, Ed25519PublicKey]:
    """Reporters' public keys from ``<reporter_id>.pub`` files in a directory."""
    d = Path(directory)
    if not d.is_dir():
        raise KeyFileError(f"trusted-keys directory {d.name!r} does not exist")
    keys: dict[str, Ed25519PublicKey] = {}
    for p in sorted(d.glob("*.pub")):
        if not re.fullmatch(REPORTER_ID_PATTERN, p.stem):
            raise KeyFileError(f"public key file {p.name!r}: name must be <reporter_id>.pub")
        keys[p.stem] = read_public_key(p)
    if not keys:
        raise KeyFileError(f"no <reporter_id>.pub files in {d.name!r}")
    return keys
