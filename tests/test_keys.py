from __future__ import annotations

import base64
import hashlib
import os
import pickle
import stat
from pathlib import Path

import pytest

import linkage
from linkage.encode import LinkageKey
from linkage.errors import KeyFileError, KeyMaterialError
from linkage.files import looks_like_key_file

from .conftest import TEST_SECRET


def _leak_forms(secret: bytes) -> list[str]:
    return [secret.hex(), base64.b64encode(secret).decode(), repr(secret), secret.hex().upper()]


def test_repr_and_str_are_masked(key: LinkageKey) -> None:
    for text in (repr(key), str(key), f"{key}", f"{[key]}"):
        assert "hidden" in text
        for form in _leak_forms(TEST_SECRET):
            assert form not in text


def test_key_id_is_keyed_and_stable(key: LinkageKey) -> None:
    assert key.key_id == LinkageKey(TEST_SECRET).key_id
    assert key.key_id.startswith("kid-") and len(key.key_id) == 36
    plain = [hashlib.sha256(TEST_SECRET).hexdigest(), hashlib.blake2b(TEST_SECRET).hexdigest()]
    assert not any(key.key_id[4:] in p for p in plain)
    assert LinkageKey(bytes(32)).key_id != key.key_id


def test_key_must_be_32_bytes_not_text() -> None:
    with pytest.raises(KeyMaterialError):
        LinkageKey("0" * 32)  # type: ignore[arg-type]
    with pytest.raises(KeyMaterialError):
        LinkageKey(b"short")


def test_key_cannot_be_pickled(key: LinkageKey) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_subkeys_differ_per_field_and_purpose(key: LinkageKey) -> None:
    subs = {key.field_subkey("initials"), key.field_subkey("sex"), key.subkey("permutation")}
    assert len(subs) == 3 and TEST_SECRET not in subs


def test_keygen_file_mode_roundtrip_and_no_overwrite(tmp_path: Path) -> None:
    k = linkage.generate_linkage_key()
    p = tmp_path / "linkage.secret"
    linkage.write_linkage_key(k, p)
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert linkage.read_linkage_key(p) == k
    with pytest.raises(KeyFileError):
        linkage.write_linkage_key(k, p)
    assert looks_like_key_file(p)


def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "k"
    linkage.write_linkage_key(linkage.generate_linkage_key(), p)
    os.chmod(p, 0o644)
    with pytest.raises(KeyFileError, match="readable by others"):
        linkage.read_linkage_key(p)


@pytest.mark.parametrize("content", ["", "hello", "-----BEGIN LINKAGE SECRET-----\n!!!\n-----END LINKAGE SECRET-----\n",
                                     "-----BEGIN LINKAGE SECRET-----\nAAAA\n-----END LINKAGE SECRET-----\n"])
def test_corrupt_key_files(tmp_path: Path, content: str) -> None:
    p = tmp_path / "k"
    p.write_text(content)
    os.chmod(p, 0o600)
    with pytest.raises(KeyFileError) as ei:
        linkage.read_linkage_key(p)
    assert "AAAA" not in str(ei.value)


def test_key_from_environment(tmp_path: Path) -> None:
    k = linkage.generate_linkage_key()
    p = tmp_path / "k"
    linkage.write_linkage_key(k, p)
    assert linkage.linkage_key_from_env({"LINKAGE_SECRET_FILE": str(p)}) == k
    assert linkage.linkage_key_from_env({"LINKAGE_SECRET": p.read_text()}) == k
    assert linkage.linkage_key_from_env({"LINKAGE_SECRET": base64.b64encode(TEST_SECRET).decode()}) == LinkageKey(
        TEST_SECRET
    )
    assert linkage.linkage_key_from_env({}) is None
    with pytest.raises(KeyMaterialError) as ei:
        linkage.linkage_key_from_env({"LINKAGE_SECRET": "not base64 %%%"})
    assert "%%%" not in str(ei.value)


def test_signing_keys_roundtrip(tmp_path: Path) -> None:
    sk = linkage.generate_signing_key()
    linkage.write_signing_key(sk, tmp_path / "r.key", tmp_path / "r.pub")
    assert stat.S_IMODE((tmp_path / "r.key").stat().st_mode) == 0o600
    sk2 = linkage.read_signing_key(tmp_path / "r.key")
    pub = linkage.read_public_key(tmp_path / "r.pub")
    pub.verify(sk2.sign(b"x"), b"x")
    assert looks_like_key_file(tmp_path / "r.key") and not looks_like_key_file(tmp_path / "r.pub")
    with pytest.raises(KeyFileError):
        linkage.read_public_key(tmp_path / "r.key")  # a private key is not a public key
    with pytest.raises(KeyFileError):
        linkage.read_signing_key(tmp_path / "r.pub")
