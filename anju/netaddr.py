"""The client's address, as the limits and the audit log must see it.

Behind a reverse proxy every request arrives from the proxy's address (REMOTE_ADDR); the client's
own address is in X-Forwarded-For, which the proxy appends to. That header is only believed when
the request comes from an address in ANJU_TRUSTED_PROXIES: anyone else could write anything
there. The header is read from the right: each trusted proxy appended the address it saw, so the
first address from the right that is not a trusted proxy is the client (addresses the client put
in the header itself lie to its left and are never used).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def parse_trusted(text: str) -> list[str]:
    """ANJU_TRUSTED_PROXIES: addresses or networks, comma- or space-separated. Checked here so a
    typing error stops the server at start instead of silently trusting nobody."""
    entries = [part.strip() for part in text.replace(",", " ").split() if part.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ValueError(f"ANJU_TRUSTED_PROXIES 中「{entry}」不是地址或网段") from exc
    return entries


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent the request (REMOTE_ADDR unless that is a trusted
    proxy, then the right-most untrusted address of X-Forwarded-For)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the header: stop at the proxy we trust
            return remote
        if not _trusted(address, networks):
            return str(address)
    # Only proxies (or no header): the request came from the proxy itself.
    return str(_address(hops[0])) if hops else remote
