"""The people of one nested record (JSON): which of a record's identifiers belong together.

A table's row is one person's record: the identifiers seen in it link to one individual
(:mod:`baomi.engine.inventory`). A nested record often describes several people — an order's
``buyer`` and ``shipping`` receiver, a booking's ``passengers[0]``, ``passengers[1]`` — and
linking all its identifiers as one person under-counts the individuals, which the law's
thresholds are measured in (cross-border CAC Order 16, PIA, incident grading). So, per record:

* an object that holds a person's name of its own and an identifier (a name column among
  its fields whose key names a person — ``buyer.name``, ``shipping.receiver``, not
  ``payment.method`` or a product's ``items[0].name`` without an identifier beside it — and a
  mobile, ID, card… in it or below it; a name in free text, a ``remark``, names no one) is a
  **person of the record**;
* the record's **main person** is its shallowest such object (the record's own ``name`` when it
  has one), the first in column order among equals (``buyer`` before ``shipping``);
* every field belongs to its nearest enclosing person (``buyer.contact.phone`` to ``buyer``),
  and a field with none — the record's top level without a name, a ``payment`` or ``contact``
  object without one — to the main person;
* the main person keeps the record's key; each other person a key of their own (the record's
  key and the object's path hashed, high bit set: never a row's key).

A record with no name at all stays one person, as a table's row. People of one record who are
the same person (a parcel sent to the buyer: same phone) are joined by their shared identifier,
as records are.

In a table or a nested record alike, a person named in the record's free text with their
identifier right after the name (a remark's 代收人王芳，电话139…) is a person of their own
(:func:`mentioned_keys`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from baomi.engine.recognizers.cn.person_name import PersonNameRecognizer
from baomi.engine.scan.model import IDENTIFIERS, Partition

#: A person's key that is not a row's key (row keys stay below 2**63: ``row_key_base``).
_OTHER = 1 << 63


def parent(path: str) -> str:
    """The object a field is in: ``buyer.phone`` → ``buyer``, ``passengers[1].name`` →
    ``passengers[1]``, ``phones[0]`` and ``phone`` → ``""`` (the record)."""
    while path.endswith("]") and "[" in path:
        path = path[: path.rindex("[")]
    dot = path.rfind(".")
    return path[:dot] if dot >= 0 else ""


def _ancestors(path: str) -> list[str]:
    """The objects enclosing a field, nearest first, the record (``""``) last."""
    out = [parent(path)]
    while out[-1]:
        out.append(parent(out[-1]))
    return out


#: Field names that name a person besides the name recognizer's header hints (``name``,
#: ``姓名``, ``联系人``…): who receives a parcel, who travels.
PERSON_KEYS = ("receiver", "consignee", "recipient", "passenger", "收件人", "乘客", "旅客")


def _names_a_person(column: str) -> bool:
    """Whether a field's own name (the path's last key) names a person: ``buyer.name``,
    ``shipping.receiver``; not ``payment.method``, whatever a small sample classified it as."""
    key = column[column.rfind(".") + 1 :].lower()
    return any(hint in key for hint in (*PersonNameRecognizer.header_hints, *PERSON_KEYS))


def _depth(path: str) -> int:
    return 0 if not path else path.count(".") + path.count("[") + 1


def _columns(names: pl.Series, order: list[str]) -> pl.DataFrame:
    """Per distinct column: its object, its enclosing objects (``anc``, with ``rank``), its
    place in the partition."""
    place = {c: i for i, c in enumerate(order)}
    rows = [
        (c, _ancestors(c), place.get(c, len(place))) for c in names.drop_nulls().unique().to_list()
    ]
    return pl.DataFrame(
        {
            "c": [r[0] for r in rows],
            "anc": [r[1] for r in rows],
            "rank": [list(range(len(r[1]))) for r in rows],
            "pos": [r[2] for r in rows],
            "depth": [_depth(r[1][0]) for r in rows],
        },
        schema={
            "c": pl.String,
            "anc": pl.List(pl.String),
            "rank": pl.List(pl.Int64),
            "pos": pl.Int64,
            "depth": pl.Int64,
        },
    )


class People:
    """The people objects of each record of a partition, from its name findings (the
    columns ``order``: the partition's, for which comes first)."""

    def __init__(self, hashes: pl.DataFrame, order: list[str], name_columns: list[str]) -> None:
        self.order = order
        info = _columns(hashes.get_column("c"), order)
        personal = [c for c in name_columns if _names_a_person(c)]
        names = (
            hashes.filter(
                (pl.col("e") == "PERSON_NAME") & pl.col("bound") & pl.col("c").is_in(personal)
            )
            .join(info, on="c")
            .select("idx", "depth", "pos", P=pl.col("anc").list.first())
        )
        # the objects that hold an identifier, in them or below them
        held = (
            hashes.filter(pl.col("e").is_in(list(IDENTIFIERS)) & pl.col("bound"))
            .join(info.select("c", "anc"), on="c")
            .select("idx", P="anc")
            .explode("P")
            .unique()
        )
        self.named = (
            names.join(held, on=["idx", "P"], how="semi")
            .group_by("idx", "P")
            .agg(pl.col("pos").min(), pl.col("depth").first())
        )
        self.main = (
            self.named.sort("idx", "depth", "pos")
            .group_by("idx", maintain_order=True)
            .first()
            .select("idx", main="P")
        )

    def keys(self, rows: pl.DataFrame, seed: int) -> pl.Series:
        """The person key of each of ``rows`` (idx, c, key: the record's key)."""
        if not self.named.height:
            return rows.get_column("key")
        info = _columns(rows.get_column("c"), self.order).select("c", "anc", "rank")
        indexed = rows.select("idx", "c", "key").with_row_index("_i")
        owner = (
            indexed.join(info, on="c")
            .explode("anc", "rank")
            .join(self.named.select("idx", anc="P"), on=["idx", "anc"], how="semi")
            .sort("_i", "rank")
            .group_by("_i", maintain_order=True)
            .first()
            .select("_i", owner="anc")
        )
        own = pl.col("owner").fill_null(pl.col("main"))
        other = pl.concat_str([pl.col("key").cast(pl.String), pl.lit("\x00"), own]).hash(
            seed
        ) | pl.lit(_OTHER, dtype=pl.UInt64)
        return (
            indexed.join(owner, on="_i", how="left")
            .join(self.main, on="idx", how="left")
            .sort("_i")
            .select(
                pl.when(own.is_null() | (own == pl.col("main")))
                .then(pl.col("key"))
                .otherwise(other)
                .alias("key")
            )
            .get_column("key")
        )


def _name_columns(part: Partition) -> list[str]:
    """The partition's name columns: a name in free text (a remark) makes no person."""
    return [p.name for p in part.plans if p.mode == "entity" and p.entity == "PERSON_NAME"]


def people_of(hashes: pl.DataFrame, part: Partition) -> People:
    """The people of each record of ``part``, from its value hashes (idx, e, h, bound, c):
    :meth:`People.keys` then gives a finding's or a sensitive cell's person key."""
    return People(hashes, part.frame.columns, _name_columns(part))


#: Columns of a partition's value hashes (:class:`~baomi.engine.scan.collector.Collector`) for
#: the values found in a record's free text: the column, and where in the cell each value is.
TEXT, START, END = "_text", "_start", "_end"
#: Whether a value's key was made by :func:`mentioned_keys` (a person named in free text).
MENTIONED = "_mentioned"
#: Characters at most between a name in a record's free text and the identifier that is that
#: person's (代收人王芳，电话139… : "，电话"; 王芳的手机号改为139… : "的手机号改为").
MENTION_GAP = 6
#: Offsets within a cell stay below this (cell and offset in one sortable integer).
_SPAN = 1 << 32
#: The same in a line that is no record (a document's paragraph): its identifiers have no
#: record to belong to, and a party's line names them one after the other (乙方：王芳，身份证号码：
#: …，住址：…，联系电话：…).
LINE_GAP = 80
#: A line that is no record and holds only a name (a contract's 乙方（受让方）：范涛) heads the
#: lines below it: their identifiers (身份证号码：…, 联系电话：…) are that person's, up to this
#: many lines down, every line between short (:data:`BLOCK_LINE_CHARS`) and none blank.
BLOCK_LINES = 8
BLOCK_LINE_CHARS = 40


def mentioned_keys(
    hashes: pl.DataFrame,
    seed: int,
    *,
    file_index: int = 0,
    line_chars: Callable[[str], np.ndarray[Any, Any]] | None = None,
) -> pl.DataFrame:
    """``hashes`` (idx, e, h, bound, key, and :data:`TEXT`, :data:`START`, :data:`END` for the
    values of free text) with the people named in free text keyed on their own, and
    :data:`MENTIONED` marking them; the free-text columns dropped.

    A remark often names someone other than the record's person — a parcel's receiver
    (代收人王芳，电话139…), a contact — with that person's phone or ID right after the name.
    Such an identifier (within :data:`MENTION_GAP` characters after the name, no other name
    between) is that person's when the record has a name of its own (in a name column, or a
    nested record's person) and the remark's name is not it. A record's own name in its remark
    (请联系张伟（138…）) changes nothing, nor does a remark in a record without a name: there is
    no telling whose it is.

    A line that is no record (a document's paragraph) has no person of its own, and each of
    its identifiers counted as a person; those after a name in the same line (within
    :data:`LINE_GAP` characters, no other name between: a contract's 乙方：王芳，身份证号码…，
    联系电话…) are now that person's, together.

    A line that holds only a name heads the short lines below it (a contract's party: 乙方：
    范涛, then 身份证号码：…, 住址：…, 联系电话：… on lines of their own): their identifiers are
    that person's (:data:`BLOCK_LINES`; ``line_chars`` gives a column's cells' lengths).

    Such a person gets a key of their own (the record's key, the column and the name's place
    hashed, high bit set) for the name and its identifiers, and is joined to a record elsewhere
    by a shared identifier, as records are. In lines that are no record, a name stands for one
    person throughout its document (a contract's 甲方王红 in the parties, the account clause and
    the signatures): the key is the file's (``file_index``) and the name's.

    Only the free text's names and identifiers are looked at, in NumPy (a document of many
    lines has many small partitions, where each Polars query costs more than its work); the
    new keys are scattered into the columns."""
    done = hashes.drop(TEXT, START, END).with_columns(pl.lit(False).alias(MENTIONED))
    named = pl.col("e") == "PERSON_NAME"
    in_text = pl.col(TEXT).is_not_null()
    if not hashes.select((in_text & named).any()).item():  # no name: nothing to do (--no-prose)
        return done
    at = hashes.select((in_text & (named | pl.col("e").is_in(list(IDENTIFIERS)))).arg_true())
    text = hashes[at.to_series()]
    is_name = (text.get_column("e") == "PERSON_NAME").to_numpy()
    if is_name.all():
        return done
    # a cell: the row and the free-text column; a place in it: cell * 2**32 + offset
    column = text.get_column(TEXT).rank("dense").cast(pl.Int64).to_numpy()
    cell = text.get_column("idx").to_numpy().astype(np.int64) * (int(column.max()) + 1) + column
    start = text.get_column(START).to_numpy().astype(np.int64)
    end = text.get_column(END).to_numpy().astype(np.int64)
    names = np.flatnonzero(is_name)
    names = names[np.lexsort((end[names], cell[names]))]
    ids = np.flatnonzero(~is_name)
    # the last name that ends before each identifier starts, in its cell
    j = np.searchsorted(cell[names] * _SPAN + end[names], cell[ids] * _SPAN + start[ids], "right")
    j -= 1
    found = j >= 0
    ids, name = ids[found], names[j[found]]
    same = cell[name] == cell[ids]
    ids, name = ids[same], name[same]
    gap = start[ids] - end[name]
    bound = text.get_column("bound").to_numpy()[ids]
    remark = bound & (gap <= MENTION_GAP)
    line = ~bound & (gap <= LINE_GAP)
    if line_chars is not None:
        # the identifiers of lines under a name of its own line, in no line's name's reach yet
        headed, by = _headed(text, is_name, column, start, end, line_chars)
        if len(headed):
            ids = np.concatenate([ids, headed])
            name = np.concatenate([name, by])
            remark = np.concatenate([remark, np.zeros(len(headed), dtype=bool)])
            line = np.concatenate([line, np.ones(len(headed), dtype=bool)])
    if remark.any():
        # a record's remark: the record has a name of its own, and the one before is another
        own = hashes.filter(pl.col(TEXT).is_null() & pl.col("bound") & named).select("key", "h")
        keys, h = text.get_column("key").to_numpy(), text.get_column("h").to_numpy()
        has_own = np.isin(keys[ids], own.get_column("key").to_numpy())
        pairs = set(
            zip(own.get_column("key").to_list(), own.get_column("h").to_list(), strict=True)
        )
        is_own = np.fromiter(
            ((int(k), int(n)) in pairs for k, n in zip(keys[ids], h[name], strict=True)),
            dtype=bool,
            count=len(ids),
        )
        remark &= has_own & ~is_own
    keep = remark | line
    if not keep.any():
        return done
    ids, name, in_line = ids[keep], name[keep], line[keep]  # a line's, else a remark's
    rows = np.concatenate([ids, name])  # the identifiers, and the names that are theirs
    owner = np.concatenate([name, name])
    person = (
        pl.DataFrame(
            {
                "key": text.get_column("key").gather(owner),
                "c": text.get_column(TEXT).gather(owner),
                "s": text.get_column(START).gather(owner),
                "h": text.get_column("h").gather(owner),
                "line": np.concatenate([in_line, in_line]),
            }
        )
        .select(
            # a record's: its key and the name's place; a document's: the file and the name
            pl.when(pl.col("line"))
            .then(pl.concat_str([pl.lit(f"\x01{file_index}"), pl.col("h").cast(pl.String)]))
            .otherwise(
                pl.concat_str(
                    [pl.col("key").cast(pl.String), pl.col("c"), pl.col("s").cast(pl.String)],
                    separator="\x00",
                )
            )
            .hash(seed)
            | pl.lit(_OTHER, dtype=pl.UInt64)
        )
        .to_series()
    )
    first = np.unique(rows, return_index=True)[1]  # each value once (sorted: scatter wants it)
    where = at.to_series().gather(rows[first])
    new = person.gather(first)
    return done.with_columns(
        done.get_column("key").scatter(where, new),
        # a line's person is bound to their key as a record's person is to theirs
        done.get_column("bound").scatter(where, True),
        done.get_column(MENTIONED).scatter(where, True),
    )


def _headed(
    text: pl.DataFrame,
    is_name: np.ndarray[Any, Any],
    column: np.ndarray[Any, Any],
    start: np.ndarray[Any, Any],
    end: np.ndarray[Any, Any],
    line_chars: Callable[[str], np.ndarray[Any, Any]],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The identifiers of ``text`` (free-text values: names and identifiers) on lines headed by
    a line that holds a name and no identifier, and that name of each (positions in ``text``):
    the name's line and the lines down to the identifier's in one text column, at most
    :data:`BLOCK_LINES` apart, each of them short and none blank, no name between."""
    none = np.zeros(0, dtype=np.int64)
    loose = ~text.get_column("bound").to_numpy()
    names, ids = np.flatnonzero(is_name & loose), np.flatnonzero(~is_name & loose)
    if not len(names) or not len(ids):
        return none, none
    idx = text.get_column("idx").to_numpy().astype(np.int64)
    line = column.astype(np.int64) * (int(idx.max()) + 1) + idx  # a column's line
    names = names[np.lexsort((end[names], line[names]))]
    j = np.searchsorted(line[names] * _SPAN + end[names], line[ids] * _SPAN + start[ids], "right")
    found = j >= 1
    ids, name = ids[found], names[j[found] - 1]
    near = (
        (column[name] == column[ids])
        & (idx[name] < idx[ids])
        & (idx[ids] - idx[name] <= BLOCK_LINES)
        & ~np.isin(line[name], line[np.flatnonzero(~is_name & loose)])  # a name alone
    )
    ids, name = ids[near], name[near]
    if not len(ids):
        return none, none
    keep = np.zeros(len(ids), dtype=bool)
    texts = text.get_column(TEXT)
    for c in np.unique(column[ids]):
        chars = line_chars(str(texts[int(np.flatnonzero(column == c)[0])]))
        bad = np.concatenate([[0], np.cumsum((chars == 0) | (chars > BLOCK_LINE_CHARS))])
        here = column[ids] == c
        keep[here] = bad[idx[ids[here]] + 1] == bad[idx[name[here]]]
    return ids[keep], name[keep]


#: Words of a column header that name a person other than the record's (a minor's guardian,
#: PIPL-31; an emergency contact; a parcel's receiver; a spouse or a guarantor).
ROLE_WORDS = (
    "监护人",
    "紧急联系人",
    "代收人",
    "收货人",
    "收件人",
    "配偶",
    "家长",
    "父亲",
    "母亲",
    "担保人",
    "推荐人",
    "客户经理",
    "跟进人",
    "业务员",
    "经办人",
    "guardian",
    "emergency",
    "spouse",
    "receiver",
    "recipient",
)
#: The column of a partition's value hashes naming the role of a value's column (:func:`roles`).
ROLE = "_role"


def _role(header: str) -> str | None:
    h = header.lower()
    return next((w for w in ROLE_WORDS if w in h), None)


def roles(part: Partition) -> dict[str, str]:
    """The columns of a table's partition that belong to another person of the record (its
    header names a role: ``监护人``, ``监护人电话``, ``紧急联系人手机``) → the role; none when the
    record has no name column of its own (a company's list of 联系人 is its people), nor in
    nested records (:func:`people_of` tells their people apart)."""
    if part.nested or not part.bound:
        return {}
    names = [p.name for p in part.plans if p.mode == "entity" and p.entity == "PERSON_NAME"]
    if not any(_role(n) is None for n in names):
        return {}
    return {p.name: role for p in part.plans if (role := _role(p.name)) is not None}


def role_keys(hashes: pl.DataFrame, seed: int) -> pl.DataFrame:
    """``hashes`` (idx, e, h, bound, key, :data:`ROLE`: the role of the value's column, or
    null) with the values of a role's columns keyed as a person of their own (the record's key
    and the role hashed, high bit set) and :data:`MENTIONED` set for them — unless the role's
    name in the row is the record's own (a form that names the person again). A role's person
    with a name and no identifier counts once per distinct name in the file, as a record
    without an identifier does."""
    indexed = hashes.with_row_index("_i")
    named = pl.col("e") == "PERSON_NAME"
    own = indexed.filter(pl.col(ROLE).is_null() & named & pl.col("bound")).select("idx", "h")
    same = (
        indexed.filter(pl.col(ROLE).is_not_null() & named)
        .join(own, on=["idx", "h"], how="semi")
        .select("idx", ROLE)
        .unique()
    )
    person = pl.concat_str([pl.col("key").cast(pl.String), pl.col(ROLE)], separator="\x00").hash(
        seed
    ) | pl.lit(_OTHER, dtype=pl.UInt64)
    keyed = (
        indexed.filter(pl.col(ROLE).is_not_null())
        .join(same, on=["idx", ROLE], how="anti")
        .select("_i", new=person)
    )
    return (
        indexed.join(keyed, on="_i", how="left")
        .sort("_i")
        .with_columns(
            key=pl.col("new").fill_null(pl.col("key")),
            **{MENTIONED: pl.col(MENTIONED) | pl.col("new").is_not_null()},
        )
        .drop("_i", "new", ROLE)
    )
