"""Greetings, thanks, goodbyes."""
