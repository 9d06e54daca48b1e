"""The company's departments: who owns protection activities (the RACI of issue 15), incident
playbook steps and drill actions, and which staff get which training."""

from __future__ import annotations

from baomi.errors import InputError
from baomi.i18n import one_of, tr

#: code → (Chinese, English). The six departments GB/T 35273 §11 names plus management.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "technology": ("技术部门", "Technology"),
    "legal": ("法务部门", "Legal"),
    "management": ("管理层", "Management"),
    "hr": ("人力资源", "HR"),
    "marketing": ("市场部门", "Marketing"),
    "audit": ("内部审计", "Internal audit"),
    "external": ("对外合作", "External cooperation"),
}


def label(code: str) -> str:
    """The department's name in the reader's language (the code itself if unknown)."""
    zh, en = DEPARTMENTS.get(code, (code, code))
    return tr(zh, en)


def check(code: str) -> str:
    """``code`` if it names a department, else a clear error listing the departments by name
    with their codes."""
    value = code.strip().lower()
    if value not in DEPARTMENTS:
        raise InputError(one_of("部门", "department", ((c, label(c)) for c in DEPARTMENTS)))
    return value
