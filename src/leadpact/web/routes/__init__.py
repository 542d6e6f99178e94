"""The API (DESIGN.md §9): one module per question; each route parses, checks the caller's right, calls one
service (the one the CLI calls for the same question) and renders its document."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
