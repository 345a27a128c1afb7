"""Answers to satisfaction visits (回访)."""
