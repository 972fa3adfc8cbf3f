"""Use cases of organizations and their members. A caller outside the organization gets
`NotFound`; a member without the sub-role for the action gets `PermissionDenied`."""

from __future__ import annotations

from app.domain.auth.model import ORGANIZATION_NAME, Invitation, Organization, normalize_email
from app.domain.auth.permissions import OrgRole
from app.domain.auth.principal import Principal
from app.domain.auth.results import MemberView, OrganizationView
from app.domain.shared.audit import AuditRecord
from app.domain.shared.errors import Conflict, NotFound, PermissionDenied
from app.domain.shared.ids import new_id
from app.domain.shared.jobs import Job
from app.ports.clock import Clock
from app.ports.repositories.auth import AuthUoW


def authorize_org(principal: Principal, org_id: str, permission: str) -> None:
    """Resource-level check for anything inside an organization."""
    if not principal.sees_org(org_id):
        raise NotFound("organization not found")
    if not principal.can_in_org(permission, org_id):
        raise PermissionDenied(f"your role in this organization does not allow {permission}")


def _load(uow: AuthUoW, org_id: str, *, lock: bool = False) -> Organization:
    org = (uow.organizations.get_for_update if lock else uow.organizations.get)(org_id)
    if org is None:
        raise NotFound("organization not found")
    return org


def _view(org: Organization, principal: Principal) -> OrganizationView:
    role = org.members.get(principal.user_id or "")
    return OrganizationView(org.id, org.name, org.created_at, role.value if role else None)


def create_organization(
    principal: Principal, *, name: str, uow: AuthUoW, clock: Clock
) -> OrganizationView:
    if principal.user_id is None:
        raise PermissionDenied("API keys cannot create organizations")
    name = ORGANIZATION_NAME.clean(name, field="name")
    org = Organization(new_id(), name, clock.now(), principal.user_id)
    org.set_member(principal.user_id, OrgRole.ADMIN)
    with uow:
        uow.organizations.add(org)
        uow.audit(
            AuditRecord(
                "organization.created",
                "organization",
                org.id,
                principal.user_id,
                after={"name": org.name},
                organization_id=org.id,
            )
        )
        uow.commit()
    return _view(org, principal)


def get_organization(principal: Principal, org_id: str, *, uow: AuthUoW) -> OrganizationView:
    authorize_org(principal, org_id, "organizations:read")
    with uow:
        return _view(_load(uow, org_id), principal)


def list_members(principal: Principal, org_id: str, *, uow: AuthUoW) -> list[MemberView]:
    authorize_org(principal, org_id, "members:read")
    with uow:
        org = _load(uow, org_id)
        members = []
        for user_id, role in org.members.items():
            user = uow.users.get(user_id)
            members.append(
                MemberView(
                    user_id,
                    user.email if user else None,
                    user.display_name if user else None,
                    role.value,
                    "active",
                )
            )
        invited = [
            MemberView(None, i.email, None, i.role.value, "invited")
            for i in uow.organizations.invitations_of(org_id)
            if i.accepted_at is None
        ]
    return sorted(members, key=lambda m: m.email or "") + invited


def add_member(
    principal: Principal, org_id: str, *, email: str, role: OrgRole, uow: AuthUoW, clock: Clock
) -> MemberView:
    """Add an existing account, or invite an email address (it joins once verified)."""
    authorize_org(principal, org_id, "members:manage")
    email = normalize_email(email)
    with uow:
        org = _load(uow, org_id, lock=True)
        user = uow.users.by_email(email)
        if user is not None and user.email_verified:
            if user.id in org.members:
                raise Conflict("already a member; change the role instead", code="already_member")
            org.set_member(user.id, role)
            uow.organizations.save(org)
            view = MemberView(user.id, user.email, user.display_name, role.value, "active")
            action, job = "organization.member_added", None
        else:
            invitation = Invitation(new_id(), org_id, email, role, principal.id, clock.now())
            uow.organizations.add_invitation(invitation)
            view = MemberView(None, email, None, role.value, "invited")
            action = "organization.member_invited"
            job = Job("auth.send_invitation", {"invitation_id": invitation.id})
        uow.audit(
            AuditRecord(
                action,
                "organization",
                org_id,
                principal.id,
                after={"email": email, "role": role.value},
                organization_id=org_id,
            )
        )
        if job:
            uow.enqueue(job)
        uow.commit()
        return view


def change_member(
    principal: Principal, org_id: str, user_id: str, *, role: OrgRole, uow: AuthUoW
) -> MemberView:
    authorize_org(principal, org_id, "members:manage")
    with uow:
        org = _load(uow, org_id, lock=True)
        if user_id not in org.members:
            raise NotFound("member not found")
        previous = org.set_member(user_id, role)
        uow.organizations.save(org)
        uow.audit(
            AuditRecord(
                "organization.member_role_changed",
                "organization",
                org_id,
                principal.id,
                before={"user_id": user_id, "role": previous.value if previous else None},
                after={"user_id": user_id, "role": role.value},
                organization_id=org_id,
            )
        )
        uow.commit()
        user = uow.users.get(user_id)
        return MemberView(
            user_id,
            user.email if user else None,
            user.display_name if user else None,
            role.value,
            "active",
        )


def remove_member(principal: Principal, org_id: str, user_id: str, *, uow: AuthUoW) -> None:
    # Leaving on one's own is allowed to any member; removing others takes members:manage.
    if user_id != principal.user_id:
        authorize_org(principal, org_id, "members:manage")
    elif not principal.sees_org(org_id):
        raise NotFound("organization not found")
    with uow:
        org = _load(uow, org_id, lock=True)
        if user_id not in org.members:
            raise NotFound("member not found")
        role = org.remove_member(user_id)
        uow.organizations.save(org)
        uow.audit(
            AuditRecord(
                "organization.member_removed",
                "organization",
                org_id,
                principal.id,
                before={"user_id": user_id, "role": role.value},
                organization_id=org_id,
            )
        )
        uow.commit()


def ensure_organization(
    org_id: str, name: str, members: dict[str, OrgRole], *, uow: AuthUoW, clock: Clock
) -> bool:
    """An organization with this id and at least these members (demo data, set-up
    scripts). Returns whether anything changed."""
    with uow:
        org = uow.organizations.get_for_update(org_id)
        creator = next(iter(members))
        if org is None:
            org = Organization(org_id, name, clock.now(), creator)
            uow.organizations.add(org)
        missing = {u: r for u, r in members.items() if org.members.get(u) != r}
        if not missing and org.name == name:
            return False
        for user_id, role in missing.items():
            org.set_member(user_id, role)
        uow.organizations.save(org)
        uow.audit(
            AuditRecord(
                "organization.provisioned",
                "organization",
                org_id,
                None,
                after={"members": {u: r.value for u, r in missing.items()}},
                organization_id=org_id,
            )
        )
        uow.commit()
        return True
