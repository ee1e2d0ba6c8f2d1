"""The chat page: static HTML, CSS and JavaScript served from the package (no build step, no
CDN, works offline).

Every response carries a Content-Security-Policy that allows scripts, styles and requests
from this origin only (no inline script), so even text that slipped into the page as markup
could not run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
_FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidate, so a new release's files are picked up
}

router = APIRouter(include_in_schema=False)


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=SECURITY_HEADERS)


@router.api_route("/", methods=["GET", "HEAD"])
def index() -> FileResponse:
    return _file("index.html", "text/html; charset=utf-8")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in _FILES:
        raise HTTPException(status_code=404, detail="not found")
    return _file(name, _FILES[name])
