"""Which Confluence call resolves a content id, and what its answer says about the id's space.

Traffic names content by id; the endpoint it called hints at the type (``/pages/{id}`` is a
page, v1 ``/content/{id}`` could be anything). Each hint has a chain of look-ups, cheapest
first: pages, blog posts and (with known types) custom content go 250 ids a call; the
other types are single look-ups. An id no look-up of its chain knows is missing.

A hit gives the space directly (``spaceId``), through the web UI link (``/spaces/KEY/...``)
or only through its container (an attachment's page, a comment's page, a whiteboard's
parent), which is then looked up in turn. Pure functions: no HTTP, no workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

BATCH_SIZE = 250  # the v2 API's maximum for `id=` lists and `limit`
_NUMERIC = re.compile(r"[0-9]+")
_ATTACHMENT = re.compile(r"(att)?[0-9]+")  # the pattern of /attachments/{id} in the v2 spec
_WEBUI_SPACE = re.compile(r"^/spaces/([^/?#]+)(?:[/?#]|$)")


@dataclass(frozen=True)
class Kind:
    """One way of looking content up: a batched list call or a single GET."""

    name: str                 # recorded in confluence_content_state.tried
    content_type: str         # what a hit is stored as in `content`
    path: str                 # list path (batched) or path with {id}
    batched: bool
    pattern: re.Pattern[str] = _NUMERIC
    params: tuple[tuple[str, str], ...] = ()  # fixed query parameters (status, custom content type)

    def accepts(self, content_id: str) -> bool:
        return bool(self.pattern.fullmatch(content_id))

    def batch_path(self, ids: list[str]) -> str:
        query = "".join(f"&{k}={quote(v, safe='')}" for k, v in self.params)
        return f"{self.path}?id={','.join(quote(i, safe='') for i in ids)}&limit={BATCH_SIZE}{query}"

    def single_path(self, content_id: str) -> str:
        return self.path.replace("{id}", quote(content_id, safe=""))


_V2 = "/wiki/api/v2"
# Statuses asked for explicitly: trashed and archived content still sits in its space.
_PAGE_STATUS = tuple(("status", s) for s in ("current", "archived", "trashed", "deleted"))
_BLOG_STATUS = tuple(("status", s) for s in ("current", "trashed", "deleted"))
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("pages", "page", f"{_V2}/pages", True, params=_PAGE_STATUS),
    Kind("blogposts", "blogpost", f"{_V2}/blogposts", True, params=_BLOG_STATUS),
    Kind("custom-content", "custom_content", f"{_V2}/custom-content/{{id}}", False),
    Kind("attachment", "attachment", f"{_V2}/attachments/{{id}}", False, _ATTACHMENT),
    Kind("footer-comment", "comment", f"{_V2}/footer-comments/{{id}}", False),
    Kind("inline-comment", "comment", f"{_V2}/inline-comments/{{id}}", False),
    Kind("whiteboard", "whiteboard", f"{_V2}/whiteboards/{{id}}", False),
    Kind("database", "database", f"{_V2}/databases/{{id}}", False),
    Kind("folder", "folder", f"{_V2}/folders/{{id}}", False),
    Kind("embed", "embed", f"{_V2}/embeds/{{id}}", False),
)}

# Type hint (from the endpoint in traffic, or a container's type) -> look-ups to try, in order.
_CHAINS: dict[str, tuple[str, ...]] = {
    "page": ("pages",), "blogpost": ("blogposts",), "custom_content": ("custom-content",),
    "attachment": ("attachment",), "footer_comment": ("footer-comment",), "inline_comment": ("inline-comment",),
    "comment": ("footer-comment", "inline-comment"), "whiteboard": ("whiteboard",), "database": ("database",),
    "folder": ("folder",), "embed": ("embed",),
}
_UNKNOWN_CHAIN = ("pages", "blogposts", "attachment", "footer-comment", "inline-comment", "custom-content",
                  "whiteboard", "database", "folder")


def custom_content_kind(type_name: str) -> Kind:
    """Batched look-up of custom content of one type (the list call requires ``type``)."""
    return Kind(f"custom-content:{type_name}", "custom_content", f"{_V2}/custom-content", True,
                params=(("type", type_name),))


def chain(hint: str | None, custom_types: tuple[str, ...] = ()) -> list[Kind]:
    """The look-ups for an id with this type hint, cheapest first."""
    names = _CHAINS.get(hint or "", _UNKNOWN_CHAIN)
    kinds = [KINDS[n] for n in names]
    if "custom-content" in names:
        # typed custom content goes 250 ids a call: with the other batched look-ups, before the single ones
        position = sum(1 for k in kinds if k.batched)
        kinds[position:position] = [custom_content_kind(t) for t in custom_types]
    return kinds


def next_kind(content_id: str, hint: str | None, tried: list[str] | tuple[str, ...],
              custom_types: tuple[str, ...] = ()) -> Kind | None:
    """The next look-up for an id, or None when its chain is exhausted (the id is missing)."""
    done = set(tried)
    return next((k for k in chain(hint, custom_types) if k.name not in done and k.accepts(content_id)), None)


@dataclass(frozen=True)
class Found:
    """A content object Confluence returned, with what it says about its space."""

    content_id: str
    content_type: str
    space_id: str | None = None
    space_key: str | None = None
    parent_id: str | None = None
    parent_type: str | None = None   # a type hint for the container's own look-up

    @property
    def placed(self) -> bool:
        return bool(self.space_id or self.space_key)


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _parent(kind: Kind, obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """The container of an object that does not carry its space id."""
    if kind.name in ("footer-comment", "inline-comment"):
        fields = (("pageId", "page"), ("blogPostId", "blogpost"), ("attachmentId", "attachment"),
                  ("customContentId", "custom_content"),
                  ("parentCommentId", kind.name.replace("-", "_")))
    elif kind.name == "attachment":
        fields = (("pageId", "page"), ("blogPostId", "blogpost"), ("customContentId", "custom_content"))
    else:
        parent_type = _text(obj.get("parentType"))
        return (_text(obj.get("parentId")), parent_type) if parent_type in _CHAINS else (None, None)
    for key, parent_type in fields:
        if _text(obj.get(key)):
            return _text(obj.get(key)), parent_type
    return None, None


def parse(kind: Kind, obj: Any, asked_id: str | None = None) -> Found | None:
    """What one returned object says. ``asked_id`` (single look-ups) is the id as traffic spells it."""
    if not isinstance(obj, dict) or not _text(obj.get("id")):
        return None
    content_id = asked_id or str(obj["id"])
    space_id = _text(obj.get("spaceId"))
    if space_id:
        return Found(content_id, kind.content_type, space_id=space_id)
    links = obj.get("_links") if isinstance(obj.get("_links"), dict) else {}
    match = _WEBUI_SPACE.match(str(links.get("webui") or ""))
    if match:
        return Found(content_id, kind.content_type, space_key=unquote(match.group(1)))
    parent_id, parent_type = _parent(kind, obj)
    return Found(content_id, kind.content_type, parent_id=parent_id, parent_type=parent_type)
