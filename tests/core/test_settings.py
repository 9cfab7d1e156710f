"""Start-up refuses bad settings with a message that names the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.services import ROOT

CLEAN_ENV = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "SEARCH_BACKEND",
        "ELASTICSEARCH_URL",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
    }
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **CLEAN_ENV,
            "KANSEN_VAR_DIR": env.pop("KANSEN_VAR_DIR", "/tmp/kansen-settings-test"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be True or False"),
        ("DATABASE_URL", "mysql://kansen@db/kansen", "DATABASE_URL"),
        ("CELERY_BROKER_URL", "http://broker", "CELERY_BROKER_URL must start with"),
        ("SEARCH_BACKEND", "solr", "SEARCH_BACKEND must be one of database, elasticsearch"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL"),
        ("API_PAGE_SIZE", "many", "API_PAGE_SIZE must be a whole number"),
        ("ELASTICSEARCH_URL", "localhost:9200", "ELASTICSEARCH_URL must start with"),
    ],
)
def test_bad_environment_value_stops_start_up_naming_the_variable(variable, value, message):
    result = run_manage("check", **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is False" in result.stderr


def test_elasticsearch_backend_needs_its_url():
    result = run_manage("check", SEARCH_BACKEND="elasticsearch")
    assert result.returncode != 0
    assert "needs ELASTICSEARCH_URL" in result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="kansen-test-" + "aZ9$kq2!Lm#Xp4&Rt7*Vw1@Yb6^Cd8(Ef0)Gh3",
        ALLOWED_HOSTS="kansen.example",
        SITE_URL="https://kansen.example",
        KANSEN_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-a-file-" + "y" * 40)
    result = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DEBUG="False",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="kansen.example",
        KANSEN_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == secret.read_text()
