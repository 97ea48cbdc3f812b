"""The writing edge: atomic writes never leave half-written files or lose earlier ones."""

from __future__ import annotations

import json
import os
import stat

import pytest

from evaluation import _io


def test_failed_write_keeps_the_earlier_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "brief.id.pdf"
    target.write_bytes(b"earlier good output")

    def half_then_fail(tmp):
        tmp.write_bytes(b"half a PDF")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        _io.write_with(target, half_then_fail)
    assert target.read_bytes() == b"earlier good output"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.id.pdf"]


def test_written_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = _io.write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_json_is_deterministic_and_strict(tmp_path):
    a = _io.write_json(tmp_path / "a.json", {"b": 1, "a": [1.5, None]})
    b = _io.write_json(tmp_path / "b.json", {"a": [1.5, None], "b": 1})
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(a.read_text()) == {"a": [1.5, None], "b": 1}
    with pytest.raises(ValueError):
        _io.write_json(tmp_path / "c.json", {"x": float("nan")})
    assert not (tmp_path / "c.json").exists()


def test_stale_temporaries_are_cleaned(tmp_path):
    (tmp_path / "2024").mkdir()
    stale = tmp_path / "2024" / (_io.TMP_PREFIX + "results.json.abc")
    stale.write_text("{")
    keep = tmp_path / "2024" / "results.json"
    keep.write_text("{}")
    assert _io.clean_stale_temporaries(tmp_path) == [stale]
    assert keep.exists() and not stale.exists()


def test_sha256_of_several_files_ignores_their_order(tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("1")
    b.write_text("2")
    assert _io.sha256_files([a, b]) == _io.sha256_files([b, a])
    before = _io.sha256_files([a, b])
    b.write_text("3")
    assert _io.sha256_files([a, b]) != before
