"""The kernel: messages, clock, settings, shop time, patterns; imports nothing of ours."""
