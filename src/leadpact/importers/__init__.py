"""Readers that turn files into raw events, one (line, object) at a time."""
