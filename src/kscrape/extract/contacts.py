"""Press contacts (department, role, title, name, phone, e-mail) from a release's text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kscrape.extract.blocks import collapse_spaces

_PHONE_RE = re.compile(r"\(?(0\d{1,2})[-‐–)\s.]{1,2}(\d{3,4})[-‐–\s.](\d{4})\)?")
_EMAIL_RE = re.compile(r"\(?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\)?")
_ROLE_RE = re.compile(r"^(책\s*임\s*자|담\s*당\s*자|문\s*의)$")
_LABEL_RE = re.compile(r"담\s*당\s*(?:부\s*서|기\s*관)\s*:?\s*|문\s*의\s*처\s*:?\s*")
_GLUED_ROLE_RE = re.compile(r"(?<=[가-힣])(책임자|담당자)(?=\s)")
_PART_SEP_RE = re.compile(r"\s/\s|(?<=\S):(?=\s)")  # "담당 부서: 기획조정실 / 책임자 …"
# A department has a name before its suffix: "팀" alone is half of the title "팀 장".
_DEPT_RE = re.compile(r"\S(?:과|실|관|국|팀|부|청|원|처|단|소|센터|TF|위원회|본부|공단|재단)$")
_NAME_RE = re.compile(r"^[가-힣]{2,5}$|^[A-Za-z][A-Za-z .'-]{1,40}$")
CONTACT_MAX_CHARS = 160


@dataclass
class _ContactState:
    """What a contact row inherits from the rows above it (merged cells span rows)."""

    dept: str = ""
    role: str = ""


def extract_contacts(text: str) -> list[dict[str, str]]:
    """Contacts from the 담당 부서 / 책임자 / 담당자 block of a release.

    Works on table rows (tab-separated cells), on the lines of a 담당 부서 section ("담당 부서:
    기획조정실 / 책임자 과장 이하녕 / (044-204-7320)") and on the flowed lines a PDF gives:
    each contact ends at its phone number (or e-mail), role and department carry over from
    the row above when a merged cell leaves them out.
    """
    contacts: list[dict[str, str]] = []
    for block in text.split("\n\n"):
        if not _looks_like_contacts(block):
            continue
        state = _ContactState()
        for segment in _contact_segments(block):
            contact = _contact_from(segment, state)
            if contact:
                contacts.append(contact)
    return contacts


def _looks_like_contacts(block: str) -> bool:
    has_role = any(_ROLE_RE.match(c) for line in _unglued(block) for c in _cells(line))
    return has_role and (_PHONE_RE.search(block) or _EMAIL_RE.search(block)) is not None


def _contact_segments(block: str) -> Iterator[str]:
    """One piece of text per contact: a table row, or flowed text cut after each phone."""
    for line in _unglued(block):
        cut = 0
        for m in _contact_ends(line):
            yield line[cut : m.end()]
            cut = m.end()
        if line[cut:].strip():
            yield line[cut:]


def _unglued(block: str) -> list[str]:
    """Lines of a block as cells or words: a section line's ":" and "/" between its parts
    go, and a role word is split off the word a PDF line join glued it to."""
    return [
        ln if "\t" in ln else _GLUED_ROLE_RE.sub(r" \1", _PART_SEP_RE.sub(" ", ln))
        for ln in block.split("\n")
    ]


def _contact_ends(line: str) -> list[re.Match[str]]:
    found = list(_PHONE_RE.finditer(line)) + list(_EMAIL_RE.finditer(line))
    return sorted(found, key=lambda m: m.start())


def _cells(text: str) -> list[str]:
    """Tab-separated cells of a table row, or the words of flowed text."""
    if "\t" in text:
        return [c.strip() for c in text.split("\t") if c.strip()]
    return text.split()


def _contact_from(segment: str, state: _ContactState) -> dict[str, str] | None:
    label = _LABEL_RE.search(segment)
    if label:
        segment = segment[label.end() :]
    if len(segment) > CONTACT_MAX_CHARS:
        return None
    phone, email, cells = _take_reachability(_cells(segment.strip()))
    role_at = next((i for i, c in enumerate(cells) if _ROLE_RE.match(c)), None)
    if role_at is None and not (phone or email):
        dept = " ".join(c for c in cells if not c.startswith("<"))
        if dept and _DEPT_RE.search(dept):
            state.dept = dept
        return None
    if role_at is not None:
        pre = " ".join(c for c in cells[:role_at] if not c.startswith("<"))
        if pre:
            state.dept = pre
        state.role = collapse_spaces(cells[role_at]).replace(" ", "")
        cells = cells[role_at + 1 :]
    elif not state.role or len(cells) > 4 or any(len(c) > 20 for c in cells):
        return None
    elif len(cells) >= 3 and _DEPT_RE.search(cells[0]):
        state.dept, cells = cells[0], cells[1:]
    name = ""
    if cells and _NAME_RE.match(cells[-1].replace(" ", "")):
        name = cells.pop().replace(" ", "")
    elif len(cells) >= 2 and _NAME_RE.match((cells[-2] + cells[-1]).replace(" ", "")):
        name = (cells[-2] + cells[-1]).replace(" ", "")
        cells = cells[:-2]
    title = "".join(cells).replace(" ", "")
    if not (name or phone or email):
        return None
    return {
        "role": state.role,
        "dept": state.dept,
        "title": title,
        "name": name,
        "phone": phone,
        "email": email,
    }


def _take_reachability(cells: list[str]) -> tuple[str, str, list[str]]:
    phone = email = ""
    keep: list[str] = []
    for cell in cells:
        p = _PHONE_RE.search(cell)
        e = _EMAIL_RE.search(cell)
        if p and not phone:
            phone = "-".join(p.groups())
            cell = (cell[: p.start()] + cell[p.end() :]).strip()
        elif e and not email:
            email = e.group(1)
            cell = (cell[: e.start()] + cell[e.end() :]).strip()
        if cell:
            keep.append(cell)
    return phone, email, keep
