"""The OpenAPI schema describes every opportunity endpoint, with the error format, and
generates without a single warning."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_complete_and_valid(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    paths = schema["paths"]
    base = "/api/v1/opportunities/{id}/"
    for suffix, methods in {
        "": {"get", "patch", "delete"},
        "publish/": {"post"},
        "withdraw/": {"post"},
        "close/": {"post"},
        "award/": {"post"},
        "cancel/": {"post"},
        "missing/": {"get"},
        "documents/": {"get", "post"},
        "documents/{document_id}/": {"get", "delete"},
        "documents/{document_id}/replace/": {"post"},
        "documents/{document_id}/download/": {"get"},
        "questions/": {"get", "post"},
        "questions/{question_id}/answer/": {"post"},
    }.items():
        operations = paths[base + suffix]
        assert methods <= set(operations), suffix
        for method in methods:
            responses = operations[method]["responses"]
            errors = [code for code in responses if code.startswith("4")]
            assert errors, (suffix, method)
            for code in errors:
                ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error")
    upload = paths[base + "documents/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"detail", "errors"}
