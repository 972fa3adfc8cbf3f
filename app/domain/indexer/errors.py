"""Errors of the indexer."""

from __future__ import annotations

from app.domain.shared.errors import Conflict


class NodeInconsistent(Conflict):
    """The node reported a block and then could not serve it: the step is retried."""

    code = "node_inconsistent"
