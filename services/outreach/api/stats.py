"""`/api/v1/outreach/stats`."""

from fastapi import APIRouter

router = APIRouter()
