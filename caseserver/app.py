"""ASGI entry point: `uvicorn --factory caseserver.app:build` builds the app from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from caseserver.api import create_app
from caseserver.config import Settings


def build() -> FastAPI:
    return create_app(Settings())
