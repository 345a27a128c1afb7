"""Channels: one module per transport, translating its events to `Incoming` and back."""
