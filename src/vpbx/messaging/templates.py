"""SMS templates: a tenant's texts with named parameters. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record, record_change
from vpbx.config import Settings
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.messaging.repository import MessagingRepository
from vpbx.messaging.rules import has_control_characters, template_params
from vpbx.messaging.schemas import TemplateCreate, TemplateOut, TemplateUpdate
from vpbx.models import SmsTemplate
from vpbx.tenancy.principal import Principal

MAX_PARAMS = 20


def _clean_body(body: str) -> tuple[str, list[str]]:
    if not body.strip():
        raise Invalid("the template body is empty", code="empty_text", field="body")
    if has_control_characters(body, allow_newlines=True):
        raise Invalid(
            "the template body must not contain control characters",
            code="invalid_text",
            field="body",
        )
    params = template_params(body)
    if len(params) > MAX_PARAMS:
        raise Invalid(f"a template has at most {MAX_PARAMS} parameters", field="body")
    return body, params


class TemplateService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = MessagingRepository(session)

    def get(self, principal: Principal, template_id: int) -> SmsTemplate:
        template = self.repo.template(principal.require_tenant(), template_id)
        if template is None:
            raise NotFound(f"template {template_id} not found", code="template_not_found")
        return template

    def list_templates(
        self, principal: Principal, *, after_id: int | None, limit: int
    ) -> Sequence[SmsTemplate]:
        return self.repo.templates(principal.require_tenant(), after_id=after_id, limit=limit)

    def create(self, principal: Principal, data: TemplateCreate) -> SmsTemplate:
        tenant_id = principal.require_tenant()
        if self.repo.template_by_code(tenant_id, data.code) is not None:
            raise Conflict(
                f"a template with code {data.code!r} exists", code="template_exists", field="code"
            )
        body, params = _clean_body(data.body)
        template = SmsTemplate(
            tenant_id=tenant_id,
            code=data.code,
            name=data.name.strip(),
            body=body,
            params=params,
            status=self._initial_status(),
        )
        self.repo.add(template)
        record_change(
            self.session,
            principal,
            "sms_template.create",
            "sms_template",
            template.id,
            after=_fields(template),
        )
        return template

    def update(self, principal: Principal, template_id: int, data: TemplateUpdate) -> SmsTemplate:
        template = self.get(principal, template_id)
        before = _fields(template)
        if data.name is not None:
            template.name = data.name.strip()
        if data.body is not None and data.body != template.body:
            template.body, template.params = _clean_body(data.body)
            template.status = self._initial_status()  # a new text is reviewed again
        self.session.flush()
        record_change(
            self.session,
            principal,
            "sms_template.update",
            "sms_template",
            template.id,
            before=before,
            after=_fields(template),
        )
        return template

    def delete(self, principal: Principal, template_id: int) -> None:
        """Messages sent with it keep their text and its code."""
        template = self.get(principal, template_id)
        before = _fields(template)
        self.repo.remove(template)
        record_change(
            self.session,
            principal,
            "sms_template.delete",
            "sms_template",
            template_id,
            before=before,
        )

    def review(self, template_id: int, status: str) -> SmsTemplate:
        """The operator approves or rejects a template (the CLI acts above tenants)."""
        action = {"approved": "approve", "rejected": "reject"}.get(status)
        if action is None:
            raise Invalid("a review approves or rejects", field="status")
        template = self.repo.template_any_tenant(template_id)
        if template is None:
            raise NotFound(f"template {template_id} not found", code="template_not_found")
        before = _fields(template)
        template.status = status
        self.session.flush()
        record(
            self.session,
            actor="cli",
            action=f"sms_template.{action}",
            object_type="sms_template",
            object_id=template.id,
            partner_id=self.repo.partner_of(template.tenant_id),
            tenant_id=template.tenant_id,
            before=before,
            after=_fields(template),
        )
        return template

    def _initial_status(self) -> str:
        return "pending" if self.settings.sms_templates_need_approval else "approved"


def view(template: SmsTemplate) -> TemplateOut:
    return TemplateOut.model_validate(template)


def _fields(template: SmsTemplate) -> dict[str, Any]:
    return {
        "code": template.code,
        "name": template.name,
        "body": template.body,
        "status": template.status,
    }
