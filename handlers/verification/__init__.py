"""Binding a chat identity to an order's customer."""
