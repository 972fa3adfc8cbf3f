"""SQL repository of certificates, the template and organizations' custom fields, and
the reads of the ledger, indexer and marketplace rows a certificate cites."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.adapters.sql.database import upsert_insert
from app.adapters.sql.paging import page_of
from app.adapters.sql.tables_certificates import (
    certificate_templates,
    certificates,
    organization_certificate_fields,
)
from app.adapters.sql.tables_chain import chain_checkpoints, chain_events, retirements
from app.adapters.sql.tables_marketplace import market_orders
from app.domain.certificates.errors import CertificateExists
from app.domain.certificates.model import (
    Certificate,
    CertificateTemplate,
    CustomField,
    OrganizationFields,
)
from app.domain.shared.json import canonical
from app.ports.repositories.certificates import Delivery, IndexedEvent


def _certificate(row: Any) -> Certificate:
    return Certificate(
        row.id,
        row.retirement_id,
        row.owner_kind,
        row.owner_id,
        json.loads(row.document),
        dict(row.layout),
        row.issued_at,
        row.logo,
    )


class SqlCertificateRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, certificate: Certificate) -> None:
        values = {
            "id": certificate.id,
            "retirement_id": certificate.retirement_id,
            "owner_kind": certificate.owner_kind,
            "owner_id": certificate.owner_id,
            "document": canonical(certificate.document).decode("utf-8"),
            "layout": certificate.layout,
            "logo": certificate.logo,
            "issued_at": certificate.issued_at,
        }
        try:
            self._db.execute(sa.insert(certificates).values(values))
        except IntegrityError as exc:  # the unique retirement id: the unit is spoilt
            raise CertificateExists("the retirement has a certificate") from exc

    def get(self, certificate_id: str) -> Certificate | None:
        row = self._db.execute(
            sa.select(certificates).where(certificates.c.id == certificate_id)
        ).first()
        return _certificate(row) if row else None

    def of_retirement(self, retirement_id: str) -> Certificate | None:
        row = self._db.execute(
            sa.select(certificates).where(certificates.c.retirement_id == retirement_id)
        ).first()
        return _certificate(row) if row else None

    def list_for(
        self, owner_ids: list[str] | None, offset: int, limit: int
    ) -> tuple[list[Certificate], int]:
        query = sa.select(certificates)
        if owner_ids is not None:
            query = query.where(certificates.c.owner_id.in_(owner_ids))
        query = query.order_by(certificates.c.issued_at.desc(), certificates.c.id.desc())
        rows, total = page_of(self._db, query, offset, limit)
        return [_certificate(r) for r in rows], total

    def template(self) -> CertificateTemplate | None:
        row = self._db.execute(sa.select(certificate_templates)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        del data["id"]
        return CertificateTemplate(**data)

    def save_template(self, template: CertificateTemplate) -> None:
        values = {
            "title": template.title,
            "primary_color": template.primary_color,
            "accent_color": template.accent_color,
            "footer_text": template.footer_text,
            "logo_document_id": template.logo_document_id,
            "updated_by": template.updated_by,
            "updated_at": template.updated_at,
        }
        self._db.execute(
            upsert_insert(self._db, certificate_templates)
            .values(id=1, **values)
            .on_conflict_do_update(index_elements=[certificate_templates.c.id], set_=values)
        )

    def organization_fields(self, organization_id: str) -> OrganizationFields | None:
        t = organization_certificate_fields
        row = self._db.execute(sa.select(t).where(t.c.organization_id == organization_id)).first()
        if row is None:
            return None
        fields = [CustomField(str(f["label"]), str(f["value"])) for f in row.fields]
        return OrganizationFields(row.organization_id, fields, row.updated_by, row.updated_at)

    def save_organization_fields(self, fields: OrganizationFields) -> None:
        t = organization_certificate_fields
        values = {
            "fields": [f.to_json() for f in fields.fields],
            "updated_by": fields.updated_by,
            "updated_at": fields.updated_at,
        }
        self._db.execute(
            upsert_insert(self._db, t)
            .values(organization_id=fields.organization_id, **values)
            .on_conflict_do_update(index_elements=[t.c.organization_id], set_=values)
        )

    def safe_block(self) -> int | None:
        value = self._db.execute(
            sa.select(chain_checkpoints.c.safe_block).where(chain_checkpoints.c.id == 1)
        ).scalar()
        return None if value is None else int(value)

    def uncertified(self, safe_block: int, limit: int) -> list[str]:
        c = retirements.c
        query = (
            sa.select(c.id)
            .where(
                c.status == "confirmed",
                c.certificate_id.is_(None),
                c.confirmed_block.is_not(None),
                c.confirmed_block <= safe_block,
            )
            .order_by(c.confirmed_block, c.id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())

    def retirement_event(self, tx_hash: str, token_id: int, kg_start: int) -> IndexedEvent | None:
        query = (
            sa.select(chain_events)
            .where(chain_events.c.tx_hash == tx_hash, chain_events.c.name == "CreditsRetired")
            .order_by(chain_events.c.log_index)
        )
        chain_id = self._db.execute(
            sa.select(chain_checkpoints.c.chain_id).where(chain_checkpoints.c.id == 1)
        ).scalar()
        for row in self._db.execute(query):
            args = row.args
            if str(args.get("tokenId")) == str(token_id) and str(args.get("kgStart")) == str(
                kg_start
            ):
                return IndexedEvent(
                    int(chain_id or 0), row.address, row.block_number, row.log_index
                )
        return None

    def overlapping(self, token_id: int, kg_start: int, kg_end: int) -> list[str]:
        c = retirements.c
        query = sa.select(c.id).where(
            c.token_id == token_id,
            c.status != "failed",
            c.kg_start <= kg_end,
            c.kg_end >= kg_start,
        )
        return list(self._db.execute(query.order_by(c.id)).scalars())

    def deliveries(self, token_id: int, to_address: str) -> list[Delivery]:
        o = market_orders.c
        query = (
            sa.select(o.id, o.transfer_tx, o.seller_address, o.buyer_address, o.quantity_kg)
            .add_columns(o.fulfilled_at)
            .where(
                o.token_id == token_id,
                o.transfer_tx.is_not(None),
                o.fulfilled_at.is_not(None),
                sa.func.lower(o.buyer_address) == to_address.lower(),
            )
            .order_by(o.fulfilled_at, o.id)
        )
        return [Delivery(*row) for row in self._db.execute(query)]
