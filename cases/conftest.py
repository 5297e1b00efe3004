"""`pytest cases/`: every YAML case as pytest items (case x draft x agent); see harness/pytest_plugin.py."""

from harness.pytest_plugin import pytest_addoption, pytest_collect_file

__all__ = ["pytest_addoption", "pytest_collect_file"]
