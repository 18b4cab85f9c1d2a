"""Security headers on every response, and a Content-Security-Policy on every HTML page.

The pages load their scripts from this service (/static/…, /graph/static/…) and keep data
in non-executable JSON script elements, so `script-src 'self'` holds for them. The one
inline script is the Swagger UI starter on /docs; it is allowed by its sha256, computed
from the page itself. Styles need 'unsafe-inline': vis-network and Swagger UI write
style attributes, and a style cannot run code.
"""
from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def script_hashes(page: str) -> list[str]:
    """CSP source expressions for the inline scripts of an HTML page (JSON data blocks skipped).

    >>> script_hashes('<script src="/a.js"></script><script>x()</script><script type="application/json">{}</script>')
    ["'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='"]
    """
    out = []
    for m in _INLINE_SCRIPT.finditer(page):
        if "application/json" in m.group(0).split(">", 1)[0]:
            continue
        digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode("ascii")
        out.append(f"'sha256-{digest}'")
    return out


def policy(extra_scripts: list[str]) -> str:
    return ("default-src 'self'; script-src 'self' " + " ".join(extra_scripts) +
            "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """ASGI middleware: nosniff, no framing and no referrer leaks everywhere; CSP on text/html."""

    def __init__(self, app, csp: str):
        self.app = app
        self.common = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                       (b"referrer-policy", b"same-origin")]
        self.csp = csp.encode("ascii")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.common if k not in present]
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if kind.startswith(b"text/html") and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self.csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
