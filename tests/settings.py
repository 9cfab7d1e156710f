"""Test settings: the project settings with the environment of the developer's shell removed,
so a test run always starts from the embedded defaults. Services are wired up by conftest."""

import os
import tempfile

for _name in (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "SEARCH_BACKEND",
    "ELASTICSEARCH_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "SECURE_SSL_REDIRECT",
):
    os.environ.pop(_name, None)
os.environ["KANSEN_TESTING"] = "True"
os.environ.setdefault("KANSEN_VAR_DIR", tempfile.mkdtemp(prefix="kansen-test-var-"))
os.environ["DATABASE_URL"] = "sqlite://:memory:"

from marketplace.settings import *  # noqa: E402, F403
from marketplace.settings import REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "PAGE_SIZE": 5}
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
