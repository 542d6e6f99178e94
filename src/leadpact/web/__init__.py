"""The HTTP API and the shared dashboard (DESIGN.md §9): `create_app` in `web.app`."""
