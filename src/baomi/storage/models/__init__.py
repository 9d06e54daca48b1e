"""SQLAlchemy 2 tables, one module per bounded context; migrations in ``migrations/versions``
mirror them.

- :mod:`~baomi.storage.models.vault` — deals, encrypted objects, parties, audit chain, certificates
- :mod:`~baomi.storage.models.accounts` — the data room's users, web sessions, setup links,
  what a page shows once, the rate limits' attempts per client address
- :mod:`~baomi.storage.models.dataroom` — rooms, members, NDAs and acceptances, grants
- :mod:`~baomi.storage.models.comply` — company facts, deal transfer profiles, and the
  compliance records (provisions, assessments, checklist, third parties, notices)
- :mod:`~baomi.storage.models.respond` — incidents and their playbook steps, drills,
  data-subject requests and their verification steps
- :mod:`~baomi.storage.models.govern_training` — training assignments and quiz attempts
- :mod:`~baomi.storage.models.govern_audits` — internal audits, findings, remediation actions,
  follow-up notes, and the responsibilities (RACI) table
- :mod:`~baomi.storage.models.govern_surveys`, ``govern_policies``, ``govern_notify`` — the
  governance areas: surveys, policy reviews, notifications
"""

from __future__ import annotations

from baomi.storage.models.accounts import (
    SetupLink,
    ShownOnceValue,
    ThrottleBucket,
    User,
    WebSession,
)
from baomi.storage.models.base import NAMING, Base
from baomi.storage.models.comply import (
    Assessment,
    AssessmentAnswer,
    AssessmentEvidence,
    ChecklistItem,
    ChecklistSnapshot,
    Company,
    ComplyFile,
    DealProfile,
    Notice,
    NoticeEvent,
    NoticeExport,
    NoticeImport,
    PiaRisk,
    Provision,
    ProvisionPeople,
    Vendor,
)
from baomi.storage.models.dataroom import (
    Copy,
    Grant,
    Member,
    Nda,
    NdaAcceptance,
    Question,
    Room,
)
from baomi.storage.models.govern_audits import (
    GovernAudit,
    GovernAuditAction,
    GovernAuditFinding,
    GovernAuditNote,
    GovernRaci,
)
from baomi.storage.models.govern_notify import Notification, ReminderSent
from baomi.storage.models.govern_policies import Policy, PolicyReview, PolicyVersion
from baomi.storage.models.govern_surveys import (
    Survey,
    SurveyAction,
    SurveyQuestion,
    SurveyResponse,
)
from baomi.storage.models.govern_training import TrainingAssignment, TrainingAttempt
from baomi.storage.models.respond import (
    Drill,
    DrillAction,
    Incident,
    IncidentStep,
    SubjectIndex,
    SubjectRequest,
    SubjectVerification,
)
from baomi.storage.models.vault import (
    AuditCheckpoint,
    AuditEventRow,
    AuditHead,
    Certificate,
    Deal,
    Party,
    StoredObject,
)

#: Tables in dependency order (backups dump and restore them in this order). Web sessions,
#: setup links and what a page shows once are not backed up: a restored home signs everyone in
#: again.
TABLES = (
    Deal,
    StoredObject,
    Party,
    AuditEventRow,
    AuditHead,
    AuditCheckpoint,
    Certificate,
    User,
    Room,
    Member,
    Nda,
    NdaAcceptance,
    Grant,
    Copy,
    Question,
    Company,
    DealProfile,
    ProvisionPeople,
    Provision,
    Incident,
    IncidentStep,
    Drill,
    DrillAction,
    SubjectRequest,
    SubjectVerification,
    SubjectIndex,
    Assessment,
    AssessmentAnswer,
    AssessmentEvidence,
    PiaRisk,
    NoticeExport,
    Notice,
    NoticeImport,
    NoticeEvent,
    ChecklistItem,
    ChecklistSnapshot,
    Vendor,
    ComplyFile,
    TrainingAssignment,
    TrainingAttempt,
    GovernAudit,
    GovernAuditFinding,
    GovernAuditAction,
    GovernAuditNote,
    GovernRaci,
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyAction,
    Policy,
    PolicyVersion,
    PolicyReview,
    Notification,
    ReminderSent,
)

__all__ = [
    "NAMING",
    "TABLES",
    "Assessment",
    "AssessmentAnswer",
    "AssessmentEvidence",
    "AuditCheckpoint",
    "AuditEventRow",
    "AuditHead",
    "Base",
    "Certificate",
    "ChecklistItem",
    "ChecklistSnapshot",
    "Company",
    "ComplyFile",
    "Copy",
    "Deal",
    "DealProfile",
    "Drill",
    "DrillAction",
    "GovernAudit",
    "GovernAuditAction",
    "GovernAuditFinding",
    "GovernAuditNote",
    "GovernRaci",
    "Grant",
    "Incident",
    "IncidentStep",
    "Member",
    "Nda",
    "NdaAcceptance",
    "Notice",
    "NoticeEvent",
    "NoticeExport",
    "NoticeImport",
    "Notification",
    "Party",
    "PiaRisk",
    "Policy",
    "PolicyReview",
    "PolicyVersion",
    "Provision",
    "ProvisionPeople",
    "Question",
    "ReminderSent",
    "Room",
    "SetupLink",
    "ShownOnceValue",
    "StoredObject",
    "SubjectIndex",
    "SubjectRequest",
    "SubjectVerification",
    "Survey",
    "SurveyAction",
    "SurveyQuestion",
    "SurveyResponse",
    "ThrottleBucket",
    "TrainingAssignment",
    "TrainingAttempt",
    "User",
    "Vendor",
    "WebSession",
]
