"""Fixtures of the API tests: a token per persona and a small JSON client that sends it."""

import json
import uuid

import pytest
from django.test import Client

from chengxin.api.services import token_create

API = "/api/v1"


class ApiClient:
    """Django's test client speaking JSON with a bearer token (or with none: anonymous)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict | None, key: str | None) -> dict:
        result = {}
        if self.token:
            result["Authorization"] = f"Bearer {self.token}"
        if key:
            result["Idempotency-Key"] = key
        result.update(headers or {})
        return result

    def get(self, path: str, params=None, headers=None):
        return self.client.get(API + path, params or {}, headers=self._headers(headers, None))

    def send(
        self, method: str, path: str, body=None, *, key: str | None = None, headers=None, raw: bytes | None = None
    ):
        data = raw if raw is not None else json.dumps(body if body is not None else {}, ensure_ascii=False)
        return getattr(self.client, method.lower())(
            API + path, data=data, content_type="application/json", headers=self._headers(headers, key)
        )

    def put(self, path: str, body=None, **kwargs):
        return self.send("PUT", path, body, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def upload(self, path: str, name: str, content: bytes, *, key: str | None = None):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            API + path,
            {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
            headers=self._headers(None, key),
        )


def new_key() -> str:
    return str(uuid.uuid4())


def token_of(user) -> str:
    return token_create(user=user, name="测试", acting_user=user)[1]


@pytest.fixture
def as_anonymous(campaign):
    return ApiClient()


@pytest.fixture
def as_alice(alice):
    return ApiClient(token_of(alice))


@pytest.fixture
def as_bob(bob):
    return ApiClient(token_of(bob))


@pytest.fixture
def as_carol(carol):
    return ApiClient(token_of(carol))


@pytest.fixture
def as_dave(dave):
    return ApiClient(token_of(dave))


@pytest.fixture
def as_erin(erin):
    return ApiClient(token_of(erin))
