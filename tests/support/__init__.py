"""Helpers for the test harness itself (not for the tests' assertions)."""
