"""Repository of the projects module and its read-side search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from app.domain.projects.model import HistoryEntry, Project
from app.ports.repositories.platform import PlatformUoW


class ProjectRepository(Protocol):
    def add(self, project: Project) -> None: ...

    def get(self, project_id: str) -> Project | None: ...

    def get_for_update(self, project_id: str) -> Project | None: ...

    def save(self, project: Project) -> None: ...

    def add_history(self, project_id: str, entry: HistoryEntry) -> None: ...

    def history(self, project_id: str) -> list[HistoryEntry]: ...

    def similar(self, project: Project, *, radius_degrees: float) -> list[Project]:
        """Other projects with the same name (any case) or within the radius, sharing a
        vintage (possible double registration)."""
        ...

    def count_documents(self, project_id: str, kind: str) -> int:
        """Current documents of this kind attached to the project."""
        ...

    def reviewer_ids(self, project_id: str) -> set[str]:
        """Users assigned to review one of the project's PoAI cases, past or present."""
        ...


class ProjectsUoW(PlatformUoW, Protocol):
    @property
    def projects(self) -> ProjectRepository: ...


ProjectSort = Literal["relevance", "name", "-name", "created", "-created", "vintage", "-vintage"]


@dataclass(frozen=True)
class ProjectQuery:
    text: str | None = None
    type: str | None = None
    country: str | None = None
    vintage: int | None = None
    status: str | None = None
    standard: str | None = None
    organization_id: str | None = None
    sort: ProjectSort = "relevance"
    # visibility, from `access.visible_scope`
    see_all: bool = False
    orgs: tuple[str, ...] = ()
    review_states: bool = False


class ProjectSearch(Protocol):
    def search(self, query: ProjectQuery, offset: int, limit: int) -> tuple[list[Project], int]:
        """Matching projects in the requested order and how many match (counted up to a
        cap on large free-text matches)."""
        ...
