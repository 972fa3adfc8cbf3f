from __future__ import annotations

import copy

from app.domain.projects.model import HistoryEntry, Project


class FakeProjectRepository:
    def __init__(self) -> None:
        self.items: dict[str, Project] = {}
        self.histories: dict[str, list[HistoryEntry]] = {}
        self.documents: dict[tuple[str, str], int] = {}
        self.reviewers: dict[str, set[str]] = {}  # project id -> assigned reviewers

    def add(self, project: Project) -> None:
        self.items[project.id] = copy.deepcopy(project)

    def get(self, project_id: str) -> Project | None:
        return copy.deepcopy(self.items.get(project_id))

    get_for_update = get

    def save(self, project: Project) -> None:
        self.items[project.id] = copy.deepcopy(project)

    def add_history(self, project_id: str, entry: HistoryEntry) -> None:
        self.histories.setdefault(project_id, []).append(entry)

    def history(self, project_id: str) -> list[HistoryEntry]:
        return list(self.histories.get(project_id, []))

    def similar(self, project: Project, *, radius_degrees: float) -> list[Project]:
        return [
            p
            for p in self.items.values()
            if p.id != project.id
            and p.name.lower() == project.name.lower()
            and set(p.vintages) & set(project.vintages)
        ]

    def count_documents(self, project_id: str, kind: str) -> int:
        return self.documents.get((project_id, kind), 0)

    def reviewer_ids(self, project_id: str) -> set[str]:
        return set(self.reviewers.get(project_id, set()))
