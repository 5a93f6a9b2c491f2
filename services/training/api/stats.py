"""`/api/v1/training/stats`."""

from fastapi import APIRouter

router = APIRouter()
