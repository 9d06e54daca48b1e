"""``baomi demo --database URL``: a seeded demo CRM schema in a database (generated data only).

Tables (in the URL's default schema), chosen to exercise what a database scan meets:

- ``customers`` — integer key; name, resident ID, mobile, e-mail, bank card, address, company,
  a registration date, free-text notes and a JSON ``profile`` holding a second phone;
- ``orders`` — integer key, a customer reference, a decoy order number, an amount, a phone and
  an address for delivery, a timestamp;
- ``follow_ups`` — a composite key (customer, sequence) and free-text notes;
- ``call_log`` — no primary key: a caller's mobile and a note;
- ``attachments`` — integer key, a file name and a binary ``content`` column (not scanned);
- ``customer_contacts`` — a view of the customers' names and mobiles.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from baomi.demo import identifiers as ids
from baomi.demo.people import PersonFactory
from baomi.i18n import tr

#: The demo tables, in creation order.
TABLES = ("customers", "orders", "follow_ups", "call_log", "attachments")
VIEW = "customer_contacts"


@dataclass
class DemoDatabase:
    """What was written: rows per table and the PI values planted per entity (counts only)."""

    rows: dict[str, int] = field(default_factory=dict)
    planted: dict[str, int] = field(default_factory=dict)

    def plant(self, entity: str, n: int = 1) -> None:
        self.planted[entity] = self.planted.get(entity, 0) + n


def _metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "customers",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(64)),
        sa.Column("gender", sa.String(4)),
        sa.Column("resident_id", sa.String(32)),
        sa.Column("mobile", sa.String(32)),
        sa.Column("email", sa.String(128)),
        sa.Column("bank_card", sa.String(32)),
        sa.Column("address", sa.String(255)),
        sa.Column("company", sa.String(128)),
        sa.Column("registered", sa.Date),
        sa.Column("notes", sa.Text),
        sa.Column("profile", sa.JSON),
    )
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
        sa.Column("order_no", sa.String(32)),
        sa.Column("amount", sa.Numeric(12, 2)),
        sa.Column("phone", sa.String(32)),
        sa.Column("ship_to", sa.String(255)),
        sa.Column("created", sa.DateTime),
    )
    sa.Table(
        "follow_ups",
        md,
        sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("note", sa.Text),
    )
    sa.Table("call_log", md, sa.Column("caller", sa.String(32)), sa.Column("note", sa.Text))
    sa.Table(
        "attachments",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("file_name", sa.String(128)),
        sa.Column("content", sa.LargeBinary),
    )
    return md


def create_demo_database(
    url: str, *, seed: int = 20240601, rows: int = 500, replace: bool = False
) -> DemoDatabase:
    """Create and fill the demo CRM tables at ``url`` (``replace``: drop them first)."""
    from baomi.databases.source import DatabaseError, display_name, resolve_url

    target = resolve_url(url)
    engine = sa.create_engine(target)
    md = _metadata()
    out = DemoDatabase()
    try:
        with engine.begin() as conn:
            present = set(sa.inspect(conn).get_table_names()) & set(TABLES)
            if present and not replace:
                raise DatabaseError(
                    display_name(target),
                    tr(
                        f"已有演示表 {', '.join(sorted(present))}（--force 先删除）",
                        f"demo tables exist: {', '.join(sorted(present))} (--force drops them)",
                    ),
                )
            if replace:
                conn.exec_driver_sql(f"DROP VIEW IF EXISTS {VIEW}")
                md.drop_all(conn)
            md.create_all(conn)
            _fill(conn, md, seed, rows, out)
            conn.exec_driver_sql(f"CREATE VIEW {VIEW} AS SELECT id, name, mobile FROM customers")
    except sa.exc.SQLAlchemyError as exc:
        from baomi.databases.source import _classify

        raise DatabaseError(display_name(target), _classify(exc)) from None
    finally:
        engine.dispose()
    return out


def _fill(conn: sa.Connection, md: sa.MetaData, seed: int, rows: int, out: DemoDatabase) -> None:
    f = PersonFactory(seed)
    rng = random.Random(seed + 1)
    people = [f.person() for _ in range(rows)]
    customers: list[dict[str, Any]] = []
    for i, p in enumerate(people, start=1):
        note = f.note(p) if rng.random() < 0.5 else None
        second = ids.mobile_number(rng)
        customers.append(
            {
                "id": i,
                "name": p.name,
                "gender": "男" if p.male else "女",
                "resident_id": p.resident_id,
                "mobile": p.mobile,
                "email": p.email,
                "bank_card": p.bank_card,
                "address": p.address,
                "company": p.company,
                "registered": dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2500)),
                "notes": note.text if note is not None else f.plain_note(),
                "profile": {"vip": rng.random() < 0.2, "backup_phone": second},
            }
        )
        out.plant("CN_RESIDENT_ID")
        out.plant("CN_MOBILE", 2)
    conn.execute(md.tables["customers"].insert(), customers)
    orders = [
        {
            "id": 1000 + n,
            "customer_id": (c := rng.randrange(1, rows + 1)),
            "order_no": ids.decoy_order_number(rng, f.address_codes),
            "amount": f"{rng.randrange(100, 500000) / 100:.2f}",
            "phone": people[c - 1].mobile,
            "ship_to": people[c - 1].address,
            "created": dt.datetime(2024, 1, 1) + dt.timedelta(minutes=rng.randrange(500000)),
        }
        for n in range(rows * 2)
    ]
    conn.execute(md.tables["orders"].insert(), orders)
    follow = [
        {"customer_id": c, "seq": s, "note": f.note(people[c - 1]).text}
        for c in range(1, rows + 1, 3)
        for s in (1, 2)
    ]
    conn.execute(md.tables["follow_ups"].insert(), follow)
    calls = [
        {"caller": people[rng.randrange(rows)].mobile, "note": f.plain_note()}
        for _ in range(max(1, rows // 2))
    ]
    conn.execute(md.tables["call_log"].insert(), calls)
    files = [
        {"id": n, "file_name": f"contract-{n}.pdf", "content": rng.randbytes(64)}
        for n in range(1, 11)
    ]
    conn.execute(md.tables["attachments"].insert(), files)
    out.rows = {
        "customers": len(customers),
        "orders": len(orders),
        "follow_ups": len(follow),
        "call_log": len(calls),
        "attachments": len(files),
    }
