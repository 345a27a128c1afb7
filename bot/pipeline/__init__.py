"""The message path: one customer message in, the replies out."""
