"""ASGI entry point for servers: `uvicorn vpbx.api.asgi:app`."""

from vpbx.api.app import create_app

app = create_app()
