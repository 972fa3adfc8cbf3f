"""What job handlers need from the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from app.domain.auth.policy import AuthPolicy
from app.domain.certificates.jobs import Issuer
from app.domain.credits.custody import Custody
from app.domain.credits.jobs import ChainWrites
from app.domain.documents.services import Storage
from app.domain.notifications.jobs import Outlets
from app.ports.clock import Clock
from app.ports.geography import CountryGeometry
from app.ports.governance import GovernanceCalls
from app.ports.notifier import Mailer
from app.ports.payment_gateway import PaymentGateway, SandboxDeliveries
from app.ports.report_files import ReportWriter
from app.ports.signing import BundleSigner


class WorkerDeps(Protocol):
    @property
    def mailer(self) -> Mailer: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def notify_outlets(self) -> Outlets: ...

    @property
    def auth_policy(self) -> AuthPolicy: ...

    @property
    def chain_writes(self) -> ChainWrites: ...

    def chain_project_key(self, project_id: str) -> str: ...

    def project_uri(self, project_id: str) -> str: ...

    @property
    def storage(self) -> Storage: ...

    @property
    def geometry(self) -> CountryGeometry: ...

    @property
    def signer(self) -> BundleSigner: ...

    @property
    def payment_sandbox(self) -> SandboxDeliveries | None: ...

    @property
    def payment_gateways(self) -> Mapping[str, PaymentGateway]: ...

    @property
    def report_writer(self) -> ReportWriter: ...

    @property
    def public_base_url(self) -> str: ...

    @property
    def certificate_issuer(self) -> Issuer: ...

    @property
    def custody(self) -> Custody: ...

    @property
    def governance_calls(self) -> GovernanceCalls: ...
