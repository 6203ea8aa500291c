"""Tokens: only their hashes are stored; a server remembers a checked token for a while and never
remembers an unknown one (R-AUTH-1)."""

from __future__ import annotations

import time

import pytest
from _support import Env

from sharedsky.domain.errors import Unauthenticated
from sharedsky.service import mechanism
from sharedsky.service.ledger import OperatorKeyCache
from sharedsky.service.mechanism import TokenCache, authenticate, token_sha256
from sharedsky.service.operators import CredentialsWatch, rotate_operator


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


def test_a_token_in_use_is_handed_out_for_one_check_in_the_background(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mechanism, "REFRESH_AFTER", (0.5, 0.5))
    cache = TokenCache(ttl_s=0.2)
    token = env.tokens["alpha"]
    actor = authenticate(env.deps.db, env.deps.mechanism, token)
    cache.put(token, actor)
    assert not cache.claim_refresh(token)  # fresh
    time.sleep(0.12)  # past half its time
    assert cache.claim_refresh(token)
    assert not cache.claim_refresh(token)  # claimed once
    assert cache.get(token) == actor  # still answered from memory meanwhile
    cache.release(token)  # the check could not run: the next use claims it again
    assert cache.claim_refresh(token)
    cache.put(token, actor)  # checked: another full time
    assert not cache.claim_refresh(token)
    cache.drop(token)
    assert cache.get(token) is None
    assert not cache.claim_refresh(token) and not cache.claim_refresh(None)


def test_a_token_read_before_the_operators_were_loaded_again_is_not_remembered(
    env: Env,
) -> None:
    """A request reads a token (still valid), the token is rotated away and the credentials
    watch loads the operators again, and only then does the request remember what it read: it
    must not, or the old token would work again until its next check, 15 to 27 s later."""
    cache = TokenCache(ttl_s=60.0)
    watch = CredentialsWatch(cache)
    db, known = env.deps.db, env.deps.mechanism
    token = env.tokens["alpha-duty"]
    since = cache.generation  # noted before the read
    actor = authenticate(db, known, token)
    issued = rotate_operator(env.deps, None, "alpha-duty")  # commits meanwhile
    watch.load(db, known)  # and the watch sees it
    assert cache.generation != since
    assert not cache.put(token, actor, since)
    assert cache.get(token) is None
    # a read begun after that load is remembered; one without a generation always is
    since = cache.generation
    assert cache.put(issued.token, authenticate(db, known, issued.token), since)
    assert cache.get(issued.token) == actor
    watch.load(db, known)
    assert cache.put(token, actor)  # the caller's own risk: unconditional


def test_tokens_remembered_together_are_checked_again_at_different_times(env: Env) -> None:
    cache = TokenCache(ttl_s=30.0)
    actor = authenticate(env.deps.db, env.deps.mechanism, env.tokens["alpha"])
    start = time.monotonic()
    dues = []
    for i in range(20):
        cache.put(f"token-{i}", actor)
        times = cache.kept.times(token_sha256(f"token-{i}"))
        assert times is not None
        dues.append(times[1] - start)
    due = sorted(dues)
    assert 30.0 * 0.5 - 0.1 <= due[0] and due[-1] <= 30.0 * 0.9 + 0.1
    assert due[-1] - due[0] > 3.0  # spread over the window, not all at once


def test_operators_keys_in_use_are_read_again_in_the_background_at_spread_times(
    env: Env,
) -> None:
    """An operator's keys are kept their whole time and handed out, once, for a read in the
    background between half and 80 % of it, at a time drawn per read."""
    cache = OperatorKeyCache(ttl_s=30.0)
    start = time.monotonic()
    for party in ("alpha", "bravo", "host"):
        cache.get(env.deps, f"{party}-duty")
        assert cache.unsigned_ok(f"{party}-duty")  # no key registered: no check needed
        assert not cache.claim_refresh(f"{party}-duty")  # fresh
    for _ in range(10):
        cache.get(env.deps, "alpha-duty", fresh=True)
    entries = [cache.kept.times(f"{p}-duty") for p in ("alpha", "bravo", "host")]
    assert all(e is not None and 30.0 - 0.5 <= e[0] - start <= 30.5 for e in entries)
    assert all(e is not None and 15.0 - 0.5 <= e[1] - start <= 24.0 + 0.5 for e in entries)
    dues = set()
    for _ in range(10):
        cache.get(env.deps, "bravo-duty", fresh=True)
        dues.add(round(cache.kept.times("bravo-duty")[1], 4))  # type: ignore[index]
    assert len(dues) > 1
    cache.put("alpha-duty", cache.get(env.deps, "alpha-duty"), time.monotonic() - 25.0)
    assert cache.claim_refresh("alpha-duty") and not cache.claim_refresh("alpha-duty")
    cache.release("alpha-duty")
    assert cache.claim_refresh("alpha-duty")
