"""Routes about the server and the caller: liveness, who the token belongs to, the mechanism."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, KeysDep
from sharedsky.api.routes._render import json_response
from sharedsky.interop.console_words import direction, load_console_words
from sharedsky.wire import v1

router = APIRouter(tags=["meta"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: answers while the process serves."""
    return {"status": "ok"}


@router.get("/v1/catalogues/console", responses={200: {"model": v1.ConsoleCatalogue}})
def console_catalogue(
    lang: Annotated[
        str,
        Query(max_length=35, description="Language (BCP 47): the operator's party's."),
    ] = "en",
) -> Response:
    """The web console's own words in ``lang`` (English for a language or a word without a
    translation) and the language's writing direction. No token is needed: the words are the
    same for everyone, and the sign-in page shows them before any token is given."""
    books = load_console_words()
    language = books.language_for(lang)
    return json_response(
        v1.ConsoleCatalogue(
            language=language, direction=direction(language), words=books.words(language)
        )
    )


@router.get("/v1/me", responses={200: {"model": v1.Me}})
def me(actor: ActorDep, deps: DepsDep, keys: KeysDep) -> Response:
    """Who the token belongs to, the mechanism it acts in, and the keys it signs with."""
    mech = deps.mechanism
    party = mech.party(actor.party)
    ring = keys.get(deps, actor.operator, fresh=True)
    return json_response(
        v1.Me(
            operator=actor.operator,
            party=party.id,
            name=party.name,
            language=party.language,
            is_host=actor.is_host,
            mechanism=mech.name,
            signing_key_ids=sorted(k.key_id for k in ring.keys),
            role=actor.role.value,
        )
    )


@router.get("/v1/mechanism", responses={200: {"model": v1.MechanismOut}})
def mechanism(_actor: ActorDep, deps: DepsDep) -> Response:
    """The mechanism's parties and the rules of every channel."""
    return json_response(convert.mechanism_out(deps.mechanism))
