"""The walk's shortcuts: the entry hash of checked fields is chain.entry_hash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sharedsky.ledger.chain import GENESIS_HASH, GENESIS_SIG, entry_hash
from sharedsky.ledger.verify import _checked_entry_hash

_HEX = st.text("0123456789abcdef", min_size=64, max_size=64)
_SIG = st.builds(
    lambda body, last: body + last,
    st.text(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=85, max_size=85
    ),
    st.sampled_from("AQgw"),
)


@given(st.integers(1, 2**53 - 1), _HEX | st.just(GENESIS_HASH), _SIG | st.just(GENESIS_SIG), _HEX)
def test_the_entry_hash_of_checked_fields_is_the_chains(
    seq: int, prev_hash: str, prev_sig: str, content_hash: str
) -> None:
    assert _checked_entry_hash(seq, prev_hash, prev_sig, content_hash) == entry_hash(
        seq, prev_hash, prev_sig, content_hash
    )
