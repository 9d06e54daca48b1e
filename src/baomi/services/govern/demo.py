"""The demo company's governance (``baomi serve --demo``): the seller's staff in a department with
two courses assigned, an internal audit with a finding and its remediation, an open customer
survey and a policy under review — so that the dashboard, the calendar and every governance
page show something on first start. Generated content only; done once."""

from __future__ import annotations

import datetime as _dt

from baomi import clock
from baomi.errors import InputError
from baomi.services import accounts
from baomi.services.govern import audits, policies, surveys, training
from baomi.services.govern.surveys import Kind
from baomi.services.permissions import Actor, Role
from baomi.services.vault import Vault

SYSTEM = Actor("demo", Role.ADMIN)

POLICY_TEXT = """个人信息保护管理制度（演示）

一、适用范围：公司处理的全部客户个人信息。
二、职责：法务部门牵头，技术部门负责技术措施，内部审计每年审计一次。
三、转让：公司转让时，客户个人信息仅以去标识化形式在数据室中提供，交割后销毁其他副本。
"""


def ensure_demo_governance(vault: Vault, today: _dt.date | None = None) -> bool:
    """Seed the demo governance once; False when it was there already."""
    if training.assignments(vault, actor=SYSTEM):
        return False
    day = today or clock.today()
    for username, department in (("seller", "legal"), ("broker", "external")):
        try:
            accounts.set_department(vault, actor=SYSTEM, username=username, department=department)
        except InputError:  # a demo without that account still gets the rest
            continue
    training.assign(vault, actor=SYSTEM, course_id="awareness", role="seller", assigned_on=day)
    training.assign(
        vault,
        actor=SYSTEM,
        course_id="law",
        department="legal",
        assigned_on=day - _dt.timedelta(days=40),
    )
    audit = audits.plan(
        vault,
        actor=SYSTEM,
        scope="客户个人信息处理（转让前）",
        frequency_months=12,
        planned_for=(day - _dt.timedelta(days=7)).isoformat(),
        auditors=["内审部 王审计"],
    )
    finding = audits.record_finding(
        vault,
        actor=SYSTEM,
        audit_id=audit.id,
        title="客户名单导出未经审批",
        severity_="high",
        detail="CRM 导出功能对销售人员开放，未留存审批记录。",
    )
    audits.add_action(
        vault,
        actor=SYSTEM,
        finding_id=finding.id,
        text="导出功能改为审批后开放，并记录审计日志",
        department="technology",
        due=(day + _dt.timedelta(days=10)).isoformat(),
    )
    survey = surveys.create(
        vault, actor=SYSTEM, title="客户信息保护满意度调查", intro="不收集任何个人信息。"
    )
    surveys.add_question(
        vault,
        actor=SYSTEM,
        survey_id=survey.id,
        kind=Kind.SCALE,
        text="您对我们保护您个人信息的做法是否满意？",
        required=True,
    )
    surveys.add_question(vault, actor=SYSTEM, survey_id=survey.id, kind=Kind.TEXT, text="您的建议")
    surveys.set_status(vault, actor=SYSTEM, survey_id=survey.id, status="open")
    policies.create(
        vault,
        actor=SYSTEM,
        title="个人信息保护管理制度",
        department="legal",
        filename="个人信息保护管理制度.txt",
        data=POLICY_TEXT.encode(),
        next_review=(day + _dt.timedelta(days=5)).isoformat(),
        today=day,
    )
    return True
