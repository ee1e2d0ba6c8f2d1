"""The API key that guards the endpoints that change the index (upload, delete).

The key is the setting ``QA_API_KEY``; clients send ``Authorization: Bearer <key>``. Without a
configured key those endpoints are disabled (403), never open. Keys are compared in constant
time and never logged (the setting is a ``SecretStr``).
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from qa_service.config import Settings

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="qa-service"'}


def require_api_key(request: Request) -> None:
    """FastAPI dependency: 403 when no key is configured, 401 when the request's is wrong."""
    settings: Settings = request.app.state.settings
    expected = settings.api_key.get_secret_value().strip() if settings.api_key else ""
    if not expected:
        raise HTTPException(
            status_code=403,
            detail=(
                "changing documents over HTTP is disabled on this server: set QA_API_KEY to "
                "enable uploads and deletions"
            ),
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status_code=401,
            detail="missing API key: send the header 'Authorization: Bearer <key>'",
            headers=_CHALLENGE,
        )
    # header values arrive decoded as latin-1: encode back to the bytes that were sent
    if not hmac.compare_digest(token.strip().encode("latin-1"), expected.encode("utf-8")):
        raise HTTPException(status_code=401, detail="wrong API key", headers=_CHALLENGE)
