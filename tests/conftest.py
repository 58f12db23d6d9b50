"""Shared test configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"

settings.register_profile(
    "default",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def load_reference(name: str) -> dict:
    """Load one reference JSON file copied into ``tests/data``."""
    return json.loads((DATA / name).read_text())
