"""The class of an IP address, and the rule that keeps webhooks off the host's own network."""

from __future__ import annotations

import ipaddress

import pytest

from sharedsky.domain.addresses import AddressClass, TargetRules, classify, target_problem


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", AddressClass.PUBLIC),
        ("2606:4700:4700::1111", AddressClass.PUBLIC),
        ("127.0.0.1", AddressClass.LOOPBACK),
        ("127.255.0.9", AddressClass.LOOPBACK),
        ("::1", AddressClass.LOOPBACK),
        ("169.254.169.254", AddressClass.LINK_LOCAL),  # the cloud metadata service
        ("fe80::1", AddressClass.LINK_LOCAL),
        ("10.1.2.3", AddressClass.PRIVATE),
        ("172.16.0.1", AddressClass.PRIVATE),
        ("192.168.1.1", AddressClass.PRIVATE),
        ("100.64.0.1", AddressClass.PRIVATE),  # carrier-grade NAT
        ("fc00::1", AddressClass.UNIQUE_LOCAL),
        ("fd12:3456::1", AddressClass.UNIQUE_LOCAL),
        ("224.0.0.1", AddressClass.MULTICAST),
        ("239.255.255.250", AddressClass.MULTICAST),
        ("ff02::1", AddressClass.MULTICAST),
        ("0.0.0.0", AddressClass.UNSPECIFIED),
        ("::", AddressClass.UNSPECIFIED),
        ("240.0.0.1", AddressClass.RESERVED),
        ("255.255.255.255", AddressClass.RESERVED),
        ("192.0.2.1", AddressClass.RESERVED),  # documentation
        ("2001:db8::1", AddressClass.RESERVED),  # documentation
        ("198.18.0.1", AddressClass.RESERVED),  # benchmarking
        ("::ffff:127.0.0.1", AddressClass.LOOPBACK),  # IPv4-mapped
        ("::ffff:10.0.0.1", AddressClass.PRIVATE),
        ("2002:7f00:1::1", AddressClass.LOOPBACK),  # 6to4 of 127.0.0.1
        ("2002:0808:0808::1", AddressClass.PUBLIC),  # 6to4 of 8.8.8.8
    ],
)
def test_each_address_has_its_class(address: str, kind: AddressClass) -> None:
    assert classify(ipaddress.ip_address(address)) is kind


def _addresses(*texts: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    return [ipaddress.ip_address(t) for t in texts]


def test_https_to_public_addresses_is_allowed_by_the_strict_rules() -> None:
    assert target_problem("https", "ops.example", _addresses("8.8.8.8"), TargetRules()) is None


def test_plain_http_is_refused_unless_allowed() -> None:
    problem = target_problem("http", "ops.example", _addresses("8.8.8.8"), TargetRules())
    assert problem is not None and "https" in problem
    allowed = TargetRules(allow_http=True)
    assert target_problem("http", "ops.example", _addresses("8.8.8.8"), allowed) is None


def test_one_non_public_address_among_public_ones_is_refused() -> None:
    problem = target_problem(
        "https", "ops.example", _addresses("8.8.8.8", "10.0.0.7"), TargetRules()
    )
    assert problem is not None
    assert "10.0.0.7" in problem and "private" in problem


def test_a_host_without_addresses_is_refused() -> None:
    problem = target_problem("https", "nowhere.example", [], TargetRules())
    assert problem is not None and "does not resolve" in problem


def test_allow_private_lets_every_address_through_and_needs_no_resolution() -> None:
    rules = TargetRules(allow_private=True)
    assert not rules.needs_addresses()
    assert target_problem("https", "localhost", [], rules) is None
    assert target_problem("https", "x", _addresses("127.0.0.1"), rules) is None
    assert target_problem("http", "x", _addresses("127.0.0.1"), rules) is not None  # still https
