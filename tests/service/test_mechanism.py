"""Tokens: only their hashes are stored; a server remembers a checked token for a while and never
remembers an unknown one (R-AUTH-1)."""

from __future__ import annotations

import time

import pytest
from _support import Env

from sharedsky.domain.errors import Unauthenticated
from sharedsky.service.mechanism import TokenCache, authenticate


def test_a_checked_token_is_remembered_and_an_unknown_one_never(env: Env) -> None:
    cache = TokenCache(ttl_s=60.0)
    token = env.tokens["alpha"]
    assert cache.get(token) is None
    actor = authenticate(env.deps.db, env.deps.mechanism, token)
    cache.put(token, actor)
    assert cache.get(token) == actor
    assert cache.get("not-a-token") is None
    assert cache.get(None) is None
    with pytest.raises(Unauthenticated):
        authenticate(env.deps.db, env.deps.mechanism, "not-a-token")


def test_a_remembered_token_is_checked_again_after_its_time(env: Env) -> None:
    cache = TokenCache(ttl_s=0.01)
    token = env.tokens["bravo"]
    cache.put(token, authenticate(env.deps.db, env.deps.mechanism, token))
    time.sleep(0.02)
    assert cache.get(token) is None


def test_the_cache_stays_bounded(env: Env) -> None:
    cache = TokenCache(ttl_s=60.0, max_entries=3)
    actor = authenticate(env.deps.db, env.deps.mechanism, env.tokens["alpha"])
    for i in range(10):
        cache.put(f"token-{i}", actor)
    assert sum(cache.get(f"token-{i}") is not None for i in range(10)) <= 3
