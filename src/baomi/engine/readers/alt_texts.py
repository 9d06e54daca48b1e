"""The alternative texts of a Word document's drawings (pictures, charts, text boxes, shapes).

Word keeps what a person types under 替代文字 (Alt Text: a title and a description) in the
drawing's XML — ``wp:docPr`` and the picture's or shape's own ``…:cNvPr`` (``descr``,
``title``), and a VML shape's ``alt`` in older files — where no paragraph holds it, and
python-docx carries it through unread: a contract's signature picture described as
``张伟明的签名`` or an ID card scan as ``身份证 110105…``. The scan reads each distinct text
once, as an extra row labelled :data:`LABEL` (after the links); protect rewrites the same
attributes (``protect/labels.py``), so the copy of a chart or a text box that stays (and a
picture kept with ``images: keep``) does not carry them.
"""

from __future__ import annotations

import zipfile

from baomi.engine.readers.word_links import docx_parts
from baomi.engine.readers.xml_parts import fromstring

#: The extra rows' label (``column`` of their findings).
LABEL = "替代文字"

#: DrawingML elements that hold a drawing's alternative text, by local name, and its attributes
NV_PROPERTIES = frozenset({"docPr", "cNvPr"})
ALT_ATTRIBUTES = ("title", "descr")
#: VML's alternative text (``v:shape alt="…"``), in files from older Word
VML = "urn:schemas-microsoft-com:vml"


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def alt_attributes(tag: str) -> tuple[str, ...]:
    """The attributes of an element named ``tag`` (Clark notation) that hold alternative
    text: ``title`` and ``descr`` of DrawingML's non-visual properties, a VML element's
    ``alt``; none of any other element."""
    if local_name(tag) in NV_PROPERTIES:
        return ALT_ATTRIBUTES
    if tag.startswith("{" + VML + "}"):
        return ("alt",)
    return ()


def docx_alt_texts(zf: zipfile.ZipFile) -> list[str]:
    """Every distinct alternative text of a .docx's drawings, in the reader's part order and
    each part's document order (blank ones left out)."""
    out: list[str] = []
    for part in docx_parts(zf):
        data = zf.read(part)
        if b"descr=" not in data and b"title=" not in data and b"alt=" not in data:
            continue  # no drawing described: no second parse of the part
        for element in fromstring(data).iter():
            for name in alt_attributes(element.tag):
                text = (element.get(name) or "").strip()
                if text and text not in out:
                    out.append(text)
    return out
