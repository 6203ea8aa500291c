"""Use case of imports: file many notices and zones of one file in one transaction, or see,
in a dry run, what filing them would give."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sharedsky.domain.conflicts import Conflict, ObjectRef, ObjectType
from sharedsky.domain.errors import FeatureProblem, InvalidImport, InvalidInput
from sharedsky.domain.notices import NoticeDraft, late_counterparties, lead_time_s, validate_draft
from sharedsky.domain.operators import Role
from sharedsky.domain.zones import ZoneDraft, validate_zone_draft
from sharedsky.service._common import remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.detection import Coverings, coverings, detect, find_candidates
from sharedsky.service.notices import new_notice, resolved_notice_draft, store_notice
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork
from sharedsky.service.zones import new_zone, resolved_zone_draft, store_zone

Draft = NoticeDraft | ZoneDraft


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One notice or zone of a file, and the index of the feature it came from."""

    index: int
    draft: Draft


@dataclass(frozen=True, slots=True)
class Imported:
    """What filing one item gave (or, in a dry run, would give)."""

    index: int
    draft: Draft
    id: str | None
    """The filed notice's or zone's id; None in a dry run."""
    conflicts: tuple[Conflict, ...]
    lead_time_s: float | None
    """A notice's lead time in seconds; None for a zone."""
    late_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of an import: the items (filed unless a dry run) and the bad features."""

    dry_run: bool
    items: tuple[Imported, ...]
    problems: tuple[FeatureProblem, ...]


def import_drafts(
    deps: Deps,
    actor: Actor,
    items: Sequence[ImportItem],
    problems: Sequence[FeatureProblem] = (),
    *,
    dry_run: bool = True,
    skip_bad: bool = False,
    idem: Idempotency[ImportReport] | None = None,
) -> ImportReport:
    """Validate every item as filing it would; then, in a dry run, the conflicts each would
    raise (nothing stored), else file them all in one transaction. ``problems`` are the
    features the reader could not read; with any problem, InvalidImport (nothing filed)
    unless ``skip_bad``, when only the good items are filed. Needs the duty role. A filing
    keeps its report under ``idem`` (a dry run keeps nothing)."""
    now = deps.clock.now()
    actor.require_party("import notices and zones")
    actor.require_role(Role.DUTY, "import notices and zones")
    area = deps.mechanism.area
    bad = list(problems)
    good: list[tuple[ImportItem, Coverings]] = []
    for item in items:
        draft = item.draft
        try:  # heights on other datums resolved as filing resolves them (R-HEIGHT-2)
            if isinstance(draft, NoticeDraft):
                draft = resolved_notice_draft(deps, draft)
                validate_draft(draft, now, area)
            else:
                draft = resolved_zone_draft(deps, draft)
                validate_zone_draft(draft, now, area)
        except InvalidInput as exc:
            bad.append(FeatureProblem(item.index, exc.detail, exc.path))
            continue
        item = replace(item, draft=draft)
        vols = draft.volumes if isinstance(draft, NoticeDraft) else (draft.volume,)
        good.append((item, coverings(deps, actor.party, vols)))
    bad.sort(key=lambda p: p.index)
    if bad and not dry_run and not skip_bad:
        raise InvalidImport(
            f"{len(bad)} feature(s) of the file cannot be filed (the first, feature"
            f" {bad[0].index}: {bad[0].reason}); nothing was filed: mend them, or skip them"
            " (skip_bad)",
            ("body",),
            tuple(bad),
        )

    def check(uow: UnitOfWork) -> list[Imported]:
        out = []
        for item, cells in good:
            draft = item.draft
            if isinstance(draft, NoticeDraft):
                subject = ObjectRef(ObjectType.NOTICE, "(draft)", actor.party, 1, 0)
                vols = draft.volumes
                notice_lead_s = lead_time_s(vols, now)
                lead_s: float | None = notice_lead_s
                late = tuple(
                    late_counterparties(deps.mechanism, actor.party, draft.kind, notice_lead_s)
                )
            else:
                subject = ObjectRef(ObjectType.ZONE, "(draft)", actor.party, 1, 0)
                vols = (draft.volume,)
                lead_s, late = None, ()
            candidates = find_candidates(uow, deps, actor.party, vols, cells)
            found = tuple(detect(uow, deps, subject, vols, candidates, now))
            out.append(Imported(item.index, draft, None, found, lead_s, late))
        return out

    def file(uow: UnitOfWork) -> ImportReport:
        out = []
        for item, cells in good:
            draft = item.draft
            if isinstance(draft, NoticeDraft):
                notice = new_notice(deps, actor, draft, now)
                filing = store_notice(uow, deps, actor, notice, cells)
                out.append(
                    Imported(
                        item.index,
                        draft,
                        notice.id,
                        filing.conflicts,
                        notice.lead_time_s,
                        tuple(notice.late_for),
                    )
                )
            else:
                zone = new_zone(deps, actor, draft, now)
                declared = store_zone(uow, deps, actor, zone, cells)
                out.append(Imported(item.index, draft, zone.id, declared.conflicts, None, ()))
        return remember(uow, actor, idem, ImportReport(False, tuple(out), tuple(bad)), now)

    if dry_run:
        return ImportReport(True, tuple(deps.db.run(check, readonly=True)), tuple(bad))
    return deps.db.run(file)
