"""`/api/v1/publications/works/...`: citations."""

from fastapi import APIRouter

router = APIRouter()
