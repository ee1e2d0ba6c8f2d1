"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) with their assets served by this service, so
the API documentation works on a server without internet access (FastAPI's own pages load
their script and CSS from a CDN).

The assets are the files shipped in the ``fastapi-offline`` package (Swagger UI 5 and
ReDoc 2, the versions FastAPI links to). The pages hold no inline script: Swagger UI is started
by a small script served here too, ReDoc starts itself from its ``<redoc>`` element. Both are
served with a Content-Security-Policy that allows nothing from other hosts; it allows inline
*styles* (both libraries set styles from JavaScript) and ``data:``/``blob:`` images and
workers, which the page's own policy does not need.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse, Response

ASSETS_URL = "/docs/assets"

_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}

DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
#: nosniff and no-referrer come from the security-headers middleware, as on every response
_HEADERS = {"Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY}

#: Starts Swagger UI (FastAPI's default settings), from a file instead of an inline script.
SWAGGER_INIT = """\
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


def assets_dir() -> Path:
    """The folder of Swagger UI's and ReDoc's files in the installed ``fastapi-offline``."""
    return Path(str(files("fastapi_offline").joinpath("static")))


def swagger_html(title: str, openapi_url: str) -> str:
    t, url = html.escape(title), html.escape(openapi_url)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{t} - Swagger UI</title>
<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css">
<link rel="icon" href="{ASSETS_URL}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{url}"></div>
<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_URL}/swagger-init.js"></script>
</body>
</html>
"""


def redoc_html(title: str, openapi_url: str) -> str:
    t, url = html.escape(title), html.escape(openapi_url)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} - ReDoc</title>
<link rel="icon" href="{ASSETS_URL}/favicon.png">
</head>
<body>
<redoc spec-url="{url}"></redoc>
<script src="{ASSETS_URL}/redoc.standalone.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets (create the app with ``docs_url=None,
    redoc_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    folder = assets_dir()

    @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_html(app.title, openapi_url), headers=_HEADERS)

    @app.api_route("/redoc", methods=["GET", "HEAD"], include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(redoc_html(app.title, openapi_url), headers=_HEADERS)

    @app.api_route(ASSETS_URL + "/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def docs_asset(name: str) -> Response:
        headers = {**_HEADERS, "Cache-Control": "public, max-age=3600"}
        if name == "swagger-init.js":
            js = _ASSETS["swagger-ui-bundle.js"]
            return Response(SWAGGER_INIT, media_type=js, headers=headers)
        if name not in _ASSETS:
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(folder / name, media_type=_ASSETS[name], headers=headers)
