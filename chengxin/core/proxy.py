"""Who the client is when the system runs behind reverse proxies: one setting, CHENGXIN_TRUSTED_PROXY_COUNT.

Each trusted proxy appends the address it received the request from to `X-Forwarded-For` (nginx:
`proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`). With N proxies in front, the last N entries are
theirs and the N-th from the right is the address the outermost proxy saw: the client. Whatever the client put in
the header itself stands to the left of that and is never read, so a forged header cannot choose the address that
is locked out, rate-limited or written in the audit log.

`ProxyMiddleware` (first in settings.MIDDLEWARE) puts that address into REMOTE_ADDR, so Django, django-axes, the
audit log and the request log all read the one right answer, under any WSGI server (gunicorn, waitress, the test
client). The scheme follows `X-Forwarded-Proto` through Django's SECURE_PROXY_SSL_HEADER, which settings.py sets
only when CHENGXIN_TRUSTED_PROXY_COUNT is above 0.

Why not Werkzeug's ProxyFix or django-ipware alone: ProxyFix wraps the WSGI application, which Django's test client
bypasses, and is a dependency of its own; ipware reads the header for those who ask it (django-axes) but leaves
REMOTE_ADDR, which everything else reads, at the proxy's address.
"""

import ipaddress

PEER_ADDR = "CHENGXIN_PEER_ADDR"  # request.META key: the address of the connection itself (the nearest proxy)


def normalise_ip(value: str | None) -> str:
    """The address in its canonical text form, or '' if it is not an IP address."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return ""


def forwarded_client(header: str, proxies: int) -> str:
    """The client's address from an `X-Forwarded-For` value written by `proxies` trusted proxies, or '' when the
    header is too short or the entry is not an address (a proxy that is not configured as the setting says)."""
    if proxies < 1:
        return ""
    entries = [part.strip() for part in header.split(",")]
    if len(entries) < proxies:
        return ""
    return normalise_ip(entries[-proxies])


def client_ip(request) -> str:
    """The client's address as ProxyMiddleware left it in REMOTE_ADDR (canonical form, or '')."""
    return normalise_ip(request.META.get("REMOTE_ADDR"))
