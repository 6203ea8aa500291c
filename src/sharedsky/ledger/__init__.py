"""The verifiable ledger: canonical JSON, hash chain, signatures, checkpoints, export, verification.

Imports only the standard library, cryptography, rfc8785 and orjson — never anything else of
sharedsky — so that an outside verifier needs nothing but this package.
"""
