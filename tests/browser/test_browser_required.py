"""Without a browser the demo page's test skips and says why, except in CI, where it fails."""

from __future__ import annotations

import pytest

from tests.browser import conftest


def test_no_chromium_is_a_skip_with_its_reason_on_a_developer_machine(monkeypatch, tmp_path):
    monkeypatch.setenv("RISE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.delenv("RISE_TEST_REQUIRE_BROWSER", raising=False)
    assert conftest.find_chromium() is None
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        conftest._missing("no Chromium found")


def test_no_chromium_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("RISE_TEST_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="RISE_TEST_REQUIRE_BROWSER is set"):
        conftest._missing("no Chromium found")


def test_chromium_is_found_by_name_when_not_named(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.delenv("RISE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert conftest.find_chromium() == str(fake)
