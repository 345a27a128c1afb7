"""Answers from the FAQ knowledge base, and the fallback when nothing else fits."""
