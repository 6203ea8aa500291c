"""Which network addresses a webhook may reach: the class of an IP address, and the rule that
keeps webhook deliveries off the host's own network (loopback, private, link-local …) unless
the mechanism's operator allows it.

Pure: the caller resolves host names and passes the addresses in.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
"""RFC 1918."""
_SHARED_V4 = ipaddress.IPv4Network("100.64.0.0/10")
"""RFC 6598: carrier-grade NAT, inside some provider's network."""
_UNIQUE_LOCAL_V6 = ipaddress.IPv6Network("fc00::/7")
"""RFC 4193."""


class AddressClass(enum.StrEnum):
    """What an IP address reaches."""

    PUBLIC = "public"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    PRIVATE = "private"
    UNIQUE_LOCAL = "unique-local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    """Reserved, documentation, benchmarking and other ranges that are not globally routed."""

    def is_public(self) -> bool:
        """True only for a globally routed unicast address."""
        return self is AddressClass.PUBLIC


def classify(address: IPAddress) -> AddressClass:
    """The class of ``address``; an IPv6 address that embeds an IPv4 one (IPv4-mapped, 6to4,
    Teredo) has the class of the IPv4 address it leads to.

    >>> [classify(ipaddress.ip_address(a)).value for a in ("8.8.8.8", "::ffff:10.0.0.1")]
    ['public', 'private']
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            return classify(embedded)
    if address.is_unspecified:
        return AddressClass.UNSPECIFIED
    if address.is_loopback:
        return AddressClass.LOOPBACK
    if address.is_link_local:
        return AddressClass.LINK_LOCAL
    if address.is_multicast:
        return AddressClass.MULTICAST
    if isinstance(address, ipaddress.IPv6Address):
        if address in _UNIQUE_LOCAL_V6:
            return AddressClass.UNIQUE_LOCAL
    elif any(address in net for net in _PRIVATE_V4) or address in _SHARED_V4:
        return AddressClass.PRIVATE
    if address.is_reserved or not address.is_global:
        return AddressClass.RESERVED
    return AddressClass.PUBLIC


@dataclass(frozen=True, slots=True)
class TargetRules:
    """What a webhook URL may be; the defaults are strict."""

    allow_private: bool = False
    """Allow every class of address, not only public ones (tests, closed networks)."""
    allow_http: bool = False
    """Allow plain ``http`` besides ``https``."""

    def needs_addresses(self) -> bool:
        """Whether `target_problem` looks at the addresses (they need not be resolved if not)."""
        return not self.allow_private


def target_problem(
    scheme: str, host: str, addresses: Sequence[IPAddress], rules: TargetRules
) -> str | None:
    """Why a webhook may not be delivered to ``host`` (which resolved to ``addresses``) over
    ``scheme``, under ``rules``; None when it may. Every address must be public: a name that
    resolves to one public and one private address could be answered either way next time."""
    if scheme.lower() != "https" and not rules.allow_http:
        return "the URL must use https (plain http is not allowed by this server)"
    if not rules.needs_addresses():
        return None
    if not addresses:
        return f"the URL's host {host!r} does not resolve to any address"
    for address in addresses:
        kind = classify(address)
        if not kind.is_public():
            return (
                f"the URL's host {host!r} resolves to {address}, a {kind.value} address; "
                "webhooks may only reach public addresses"
            )
    return None
