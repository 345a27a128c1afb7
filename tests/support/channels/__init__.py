"""Stand-ins for the messaging platforms and for channels, to deliver to without a network."""
