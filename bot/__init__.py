"""kefu: the assistant's core, channels, staff console and command line."""
