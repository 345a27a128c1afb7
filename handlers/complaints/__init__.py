"""Complaints: recognised, apologised for, recorded as tickets."""
