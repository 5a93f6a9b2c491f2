"""`/api/v1/publications/stats`."""

from fastapi import APIRouter

router = APIRouter()
