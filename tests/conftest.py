"""Shared fixtures: the loopback farm (one per test session) and capture builders."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.farm import Farm


@pytest.fixture(scope="session")
def farm(tmp_path_factory):
    f = Farm(tmp_path_factory.mktemp("farm")).start()
    yield f
    f.stop()


@pytest.fixture
def today():
    return dt.date.today()
