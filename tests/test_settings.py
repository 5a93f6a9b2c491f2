"""Secrets never have a usable default outside dev mode: in production every process refuses to start without
them (or with an empty one), and says which is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.harness import ROOT

APPS = ["gateway.app", "services.partnerships.app", "services.training.app", "services.outreach.app",
        "services.publications.app"]
SECRETS = ("INTERNAL_AUTH_SECRET", "GATEWAY_JWT_SECRET", "GATEWAY_ADMIN_API_KEY")


def start(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "APP_ENV"}
    return subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          env=clean | {"VAR_DIR": "/tmp/panda-settings-test"} | env, timeout=60)


@pytest.mark.parametrize("module", APPS)
def test_production_refuses_to_start_without_its_secrets(module):
    for env in ({"APP_ENV": "production"}, {"APP_ENV": "production", "INTERNAL_AUTH_SECRET": "  ",
                                            "GATEWAY_JWT_SECRET": ""}):
        result = start(module, **env)
        assert result.returncode != 0
        assert "INTERNAL_AUTH_SECRET" in result.stderr and "missing secret" in result.stderr


def test_dev_mode_starts_with_its_defaults_and_production_with_real_secrets():
    assert start("gateway.app", APP_ENV="dev").returncode == 0
    ok = start("gateway.app", APP_ENV="production", INTERNAL_AUTH_SECRET="s3cret-internal",
               GATEWAY_JWT_SECRET="s3cret-jwt", GATEWAY_JWT_AUDIENCE="panda-coop-api",
               GATEWAY_JWT_ISSUER="https://id.example.org/")
    assert ok.returncode == 0, ok.stderr
