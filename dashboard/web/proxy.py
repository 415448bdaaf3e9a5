"""Which proxy's X-Forwarded-For is believed: only one named in IOP_TRUSTED_PROXY (addresses or
networks, comma-separated), none by default. uvicorn, under Streamlit, believes the header from
127.0.0.1 and builds its proxy middleware after importing server.py, so its own setting
(FORWARDED_ALLOW_IPS, read before) cannot be changed from here: the middleware is told instead. The
client address decides sign-in throttling and is written in the audit log. And the machine's public
address is never looked up."""

from __future__ import annotations

import os

from streamlit import net_util
from uvicorn.middleware import proxy_headers


def trusted() -> str:
    return os.environ.get("IOP_TRUSTED_PROXY", "").strip()


def install() -> None:
    # Streamlit asks a public web service for the machine's address to vet an unknown origin: never (the
    # gate allows only this address's own origin; a deployment names its host in server.corsAllowedOrigins)
    net_util.get_external_ip = lambda: None
    middleware = proxy_headers.ProxyHeadersMiddleware
    if getattr(middleware, "_iop_trusted", False):
        return
    original = middleware.__init__

    def init(self, app, trusted_hosts="127.0.0.1") -> None:
        original(self, app, trusted_hosts=trusted())

    middleware.__init__ = init
    middleware._iop_trusted = True
