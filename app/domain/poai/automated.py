"""The automated checks, run by a background job on each review round. Each records its
evidence, so a reviewer (and later the proof bundle) sees why it passed or failed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.domain.documents.maintenance import verify_stored_documents
from app.domain.documents.services import Storage
from app.domain.poai.model import Mode, Result
from app.domain.projects.model import FIRST_VINTAGE, Project
from app.domain.projects.services import REQUIRED_FOR_SUBMISSION
from app.domain.shared.audit import AuditRecord
from app.ports.clock import Clock
from app.ports.geography import CountryGeometry
from app.ports.repositories.poai import PoaiUoW

DUPLICATE_RADIUS_DEGREES = 0.01  # about 1 km
Outcome = tuple[Result, str, dict[str, object]]


def run_automated_checks(
    case_id: str, *, uow: PoaiUoW, storage: Storage, geometry: CountryGeometry, clock: Clock
) -> int:
    """Run the pending automated checks of the case's current round (inside the job's
    unit); returns how many ran."""
    case = uow.poai.case_for_update(case_id)
    project = uow.projects.get(case.project_id) if case else None
    if case is None or project is None or not case.active:
        return 0
    runners: dict[str, Callable[[], Outcome]] = {
        "coordinates_in_country": lambda: _in_country(project, geometry),
        "no_duplicate_project": lambda: _duplicates(project, uow),
        "required_documents_present": lambda: _documents_present(project, uow),
        "document_hashes_match": lambda: _hashes(project, uow, storage),
        "vintages_consistent": lambda: _vintages(project, clock.now()),
    }
    ran = 0
    for check in uow.poai.checks(case.id, case.round):
        runner = runners.get(check.name)
        if check.mode != Mode.AUTOMATED or runner is None:
            continue
        result, notes, evidence = runner()
        check.record(result, notes=notes, evidence=evidence, by=None, at=clock.now())
        uow.poai.save_check(check)
        ran += 1
    uow.audit(
        AuditRecord(
            "poai.automated_checks_run",
            "poai_case",
            case.id,
            None,
            after={"round": case.round, "checks": ran},
            organization_id=case.organization_id,
        )
    )
    return ran


def _in_country(project: Project, geometry: CountryGeometry) -> Outcome:
    if project.latitude is None or project.longitude is None:
        return Result.FAIL, "the project has no coordinates", {}
    inside = geometry.contains(project.country, float(project.latitude), float(project.longitude))
    evidence: dict[str, object] = {
        "country": project.country,
        "latitude": str(project.latitude),
        "longitude": str(project.longitude),
    }
    if inside is None:
        return Result.NA, f"no geometry known for {project.country}", evidence
    if inside:
        return Result.PASS, f"the coordinates lie in {project.country}", evidence
    return Result.FAIL, f"the coordinates lie outside {project.country}", evidence


def _duplicates(project: Project, uow: PoaiUoW) -> Outcome:
    similar = uow.projects.similar(project, radius_degrees=DUPLICATE_RADIUS_DEGREES)
    evidence: dict[str, object] = {"similar_projects": [p.id for p in similar]}
    if similar:
        names = ", ".join(f"{p.name} ({p.id})" for p in similar)
        return Result.FAIL, f"possible duplicates with overlapping vintages: {names}", evidence
    return (
        Result.PASS,
        "no project with the same name or nearby with overlapping vintages",
        evidence,
    )


def _documents_present(project: Project, uow: PoaiUoW) -> Outcome:
    count = uow.projects.count_documents(project.id, REQUIRED_FOR_SUBMISSION)
    evidence: dict[str, object] = {"project_design_documents": count}
    if count:
        return Result.PASS, "a project design document is attached", evidence
    return Result.FAIL, "no project design document", evidence


def _hashes(project: Project, uow: PoaiUoW, storage: Storage) -> Outcome:
    results = verify_stored_documents(project.id, uow=uow, storage=storage)
    evidence: dict[str, object] = {"documents": results}
    if not results:
        return Result.FAIL, "no documents to check", evidence
    bad = [r["document_id"] for r in results if not r["match"]]
    if bad:
        return Result.FAIL, f"stored content differs from its recorded hash: {bad}", evidence
    return Result.PASS, f"{len(results)} document(s) read back with matching SHA-256", evidence


def _vintages(project: Project, now: datetime) -> Outcome:
    evidence: dict[str, object] = {"vintages": list(project.vintages), "checked_at_year": now.year}
    problems = []
    if not project.vintages:
        problems.append("no vintages")
    future = [v for v in project.vintages if v > now.year]
    evidence["future_vintages"] = future  # planned issuance: allowed, shown to the reviewer
    if any(v > now.year + 30 for v in project.vintages):
        problems.append("vintages more than 30 years ahead")
    if any(v < FIRST_VINTAGE for v in project.vintages):
        problems.append(f"vintages before {FIRST_VINTAGE}")
    if project.expected_annual_reductions.kg <= 0:
        problems.append("no expected annual reductions")
    if problems:
        return Result.FAIL, "; ".join(problems), evidence
    return Result.PASS, "vintages are past or current years with expected reductions", evidence
