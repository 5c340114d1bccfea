"""Reporters' Ed25519 signing keys: made and kept by each reporter, verified by the registry.

A reporter signs every submission with its private key (PKCS#8 PEM, mode
0600); the registry holds only public keys, one ``<reporter_id>.pub`` per
reporter, and verifies before it parses anything. Nothing here touches the
linkage secret.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from linkage.errors import KeyFileError, LinkageError
from linkage.files import (
    KIND_NAMES,
    PRIVATE_KEY_MARKER,
    SECRET_HEADER,
    PendingFile,
    check_outputs,
    check_private_permissions,
    commit_files,
    file_kind,
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
    """Write a private key (PKCS#8 PEM, mode 0600) and its public key (PEM, mode 0644): both or neither.

    Refused before anything is written: the two paths are one file, the
    private key would get a ``.pub`` name (where public keys go), a directory
    does not exist, or either file exists (nothing is ever overwritten). The
    two files are written as one unit (:func:`linkage.files.commit_files`), so
    a failure or a kill never leaves one without the other.
    """
    priv_path, pub_path = Path(private_path), Path(public_path)
    if priv_path.suffix.lower() == ".pub":
        raise KeyFileError(
            f"the private key would be written to {priv_path.name!r}, a public-key name (.pub); "
            "give --out another name, e.g. with .key"
        )
    try:
        check_outputs({"the private key file": priv_path, "the public key file": pub_path}, overwrite=False)
    except KeyFileError:
        raise
    except LinkageError as exc:
        raise KeyFileError(str(exc)) from None
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    pub = public_pem(private.public_key())
    try:
        commit_files([PendingFile(pub_path, [pub], 0o644), PendingFile(priv_path, [pem], 0o600)], overwrite=False)
    except KeyFileError:
        raise
    except LinkageError as exc:
        raise KeyFileError(str(exc)) from None
    except OSError as exc:
        raise KeyFileError(f"cannot write key files: {exc.strerror}") from None


def read_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """Read a reporter's Ed25519 private key (PKCS#8 PEM, unencrypted)."""
    p = Path(path)
    kind = file_kind(p)
    if kind in ("secret", "public_key", "submission"):
        raise KeyFileError(f"{p.name!r} holds {KIND_NAMES[kind]}, not a private signing key")
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
    kind = file_kind(p)
    if kind not in ("secret", "private_key") and (PRIVATE_KEY_MARKER in data or SECRET_HEADER.encode() in data):
        kind = "private_key" if PRIVATE_KEY_MARKER in data else "secret"
    if kind in ("secret", "private_key"):
        raise KeyFileError(
            f"{p.name!r} holds {KIND_NAMES[kind]}; give the registry public keys only (and move that file away)"
        )
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
    """Reporters' public keys from ``<reporter_id>.pub`` files in a directory.

    Refuses a directory that holds a linkage secret or a private key in any
    file (the registry never holds one), a ``.pub`` file that is not an Ed25519
    public key, and two files holding the same public key (one key per reporter).
    """
    d = Path(directory)
    if not d.is_dir():
        raise KeyFileError(f"trusted-keys directory {d.name!r} does not exist")
    for p in sorted(d.iterdir()):
        kind = file_kind(p) if p.is_file() else None
        if kind in ("secret", "private_key"):
            raise KeyFileError(
                f"{p.name!r} in the trusted-keys directory holds {KIND_NAMES[kind]}: the registry never holds "
                "one; move it away"
            )
    keys: dict[str, Ed25519PublicKey] = {}
    by_id: dict[str, str] = {}
    for p in sorted(d.glob("*.pub")):
        if not re.fullmatch(REPORTER_ID_PATTERN, p.stem):
            raise KeyFileError(f"public key file {p.name!r}: name must be <reporter_id>.pub")
        key = read_public_key(p)
        kid = public_key_id(key)
        if kid in by_id:
            raise KeyFileError(
                f"{by_id[kid]}.pub and {p.name} in the trusted-keys directory hold the same public key; "
                "keep one file per reporter"
            )
        by_id[kid] = p.stem
        keys[p.stem] = key
    if not keys:
        raise KeyFileError(f"no <reporter_id>.pub files in {d.name!r}")
    return keys


_ANSWERS_DOMAIN = b"linkage/answers/v1\x00"


def sign_answers(data: bytes, signing_key: Ed25519PrivateKey) -> bytes:
    """A detached Ed25519 signature over a reporter's answers file (its bytes), for the registry."""
    if not isinstance(signing_key, Ed25519PrivateKey):
        raise KeyFileError("signing needs an Ed25519 private key (read it with read_signing_key)")
    return signing_key.sign(_ANSWERS_DOMAIN + data)


def verify_answers(data: bytes, signature_path: str | Path, trusted_keys: Mapping[str, Ed25519PublicKey],
                   *, name: str = "answers") -> str:
    """The reporter whose key signed ``data`` (the signature in ``signature_path``); else :class:`SignatureError`."""
    from cryptography.exceptions import InvalidSignature

    from linkage.errors import SignatureError

    try:
        sig = Path(signature_path).read_bytes()
    except OSError:
        raise SignatureError(f"{name}: no signature file (sign the answers with 'linkage sign-answers')") from None
    found = []
    for reporter, pub in sorted(trusted_keys.items()):
        try:
            pub.verify(sig, _ANSWERS_DOMAIN + data)
        except InvalidSignature:
            continue
        found.append(reporter)
    if len(found) != 1:
        raise SignatureError(f"{name}: the signature does not verify against a registered reporter key")
    return found[0]
