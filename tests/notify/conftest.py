"""Fixtures of the notify tests: real local receivers (see receivers.py)."""

from receivers import http_receiver, smtp_receiver

__all__ = ["http_receiver", "smtp_receiver"]
