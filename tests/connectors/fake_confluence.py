"""A small Confluence Cloud REST server on 127.0.0.1 for the connector tests.

It serves the response shapes of ../shared/reference/confluence-rest-v2.openapi.json for the
calls `inventory fetch` makes (tenant info, spaces with cursor pagination, classification
levels, batched and single content look-ups), checks credentials like the site and the
gateway would, counts every call, and injects faults on request: a status with headers
(429 + Retry-After, 500), a malformed body, or a dropped connection.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLOUD_ID = "11111111-2222-3333-4444-555555555555"
SITE_BASE = "https://acme.atlassian.net/wiki"
V2 = "/wiki/api/v2"


def space(space_id: str, key: str, name: str, space_type: str = "global", status: str = "current") -> dict[str, Any]:
    """A SpaceBulk object."""
    return {"id": space_id, "key": key, "name": name, "type": space_type, "status": status,
            "authorId": "5b10ac8d82e05b22cc7d4ef5", "createdAt": "2024-01-01T00:00:00.000Z",
            "homepageId": str(int(space_id) * 10), "description": None, "icon": None,
            "_links": {"webui": f"/spaces/{key}"}}


def page(page_id: str, space_id: str, key: str, status: str = "current") -> dict[str, Any]:
    """A PageBulk (or BlogPostBulk) object."""
    return {"id": page_id, "status": status, "title": f"Page {page_id}", "spaceId": space_id,
            "parentId": None, "parentType": None, "position": 0, "authorId": "x", "ownerId": "x",
            "lastOwnerId": None, "createdAt": "2024-01-01T00:00:00.000Z",
            "version": {"createdAt": "2024-01-01T00:00:00.000Z", "message": "", "number": 1, "minorEdit": False,
                        "authorId": "x"},
            "_links": {"webui": f"/spaces/{key}/pages/{page_id}/Page", "editui": "", "tinyui": ""}}


def custom_content(content_id: str, space_id: str, type_name: str) -> dict[str, Any]:
    return {"id": content_id, "type": type_name, "status": "current", "title": "cc", "spaceId": space_id,
            "pageId": None, "authorId": "x", "createdAt": "2024-01-01T00:00:00.000Z",
            "version": {"number": 1}, "_links": {"webui": ""}}


def attachment(content_id: str, *, page_id: str | None = None, blogpost_id: str | None = None) -> dict[str, Any]:
    """An AttachmentSingle: no space id, only its container; a web UI link without a space."""
    obj: dict[str, Any] = {"id": content_id, "status": "current", "title": "a.png", "mediaType": "image/png",
                           "fileId": "f", "fileSize": 10, "version": {"number": 1},
                           "_links": {"webui": f"/pages/viewpageattachments.action?pageId={page_id}",
                                      "download": "/download/a.png"}}
    if page_id:
        obj["pageId"] = page_id
    if blogpost_id:
        obj["blogPostId"] = blogpost_id
    return obj


def comment(content_id: str, *, page_id: str | None = None, attachment_id: str | None = None) -> dict[str, Any]:
    """A FooterCommentModel / InlineCommentModel: its container only."""
    obj: dict[str, Any] = {"id": content_id, "status": "current", "title": "Re: x", "version": {"number": 1},
                           "body": {}, "_links": {"webui": ""}}
    if page_id:
        obj["pageId"] = page_id
    if attachment_id:
        obj["attachmentId"] = attachment_id
    return obj


def tree_object(content_id: str, kind: str, *, key: str | None = None, parent: tuple[str, str] | None = None
                ) -> dict[str, Any]:
    """A WhiteboardSingle / DatabaseSingle / FolderSingle / EmbedSingle: parent and web UI link only."""
    return {"id": content_id, "type": kind, "status": "current", "title": kind,
            "parentId": parent[0] if parent else None, "parentType": parent[1] if parent else None,
            "position": 0, "authorId": "x", "ownerId": "x", "createdAt": "2024-01-01T00:00:00.000Z",
            "version": {"number": 1}, "_links": {"webui": f"/spaces/{key}/{kind}/{content_id}" if key else ""}}


@dataclass
class Site:
    """What the fake site holds."""

    cloud_id: str = CLOUD_ID
    spaces: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 2                           # spaces per page (Confluence may return fewer than limit)
    levels: list[dict[str, Any]] | None = None   # None: the site has no classification (404)
    defaults: dict[str, str] = field(default_factory=dict)  # space id -> default level name
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    blogposts: dict[str, dict[str, Any]] = field(default_factory=dict)
    custom: dict[str, dict[str, Any]] = field(default_factory=dict)
    singles: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # family -> id -> object


@dataclass
class Fault:
    """Answer the next ``times`` calls whose path starts with ``prefix`` (and contain ``query``) otherwise."""

    prefix: str
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"message": "boom"}'
    drop: bool = False           # close the connection without an answer
    query: str = ""
    times: int = 1


@dataclass(frozen=True)
class Call:
    path: str
    query: str
    status: int | None        # None: dropped
    authorization: str | None

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")


class FakeConfluence:
    """The server; use as a context manager. ``url`` is its base, ``calls`` what it was asked."""

    def __init__(self, site: Site, *, email: str = "me@acme.example", token: str = "tok",
                 oauth: str | None = None) -> None:
        self.site = site
        self.expected = {f"Basic {base64.b64encode(f'{email}:{token}'.encode()).decode()}"}
        if oauth:
            self.expected.add(f"Bearer {oauth}")
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.in_flight = 0
        self.max_in_flight = 0       # the most calls the server was answering at once
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeConfluence:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answered(self) -> list[str]:
        """Targets that got an answer (not dropped, not retried errors), in order."""
        return [c.target for c in self.calls if c.status is not None and c.status < 500 and c.status != 429]

    # -- the handler -------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stalls

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    self._answer()
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                auth = self.headers.get("Authorization")
                fault = fake._take_fault(parts.path, parts.query)
                if fault is not None and fault.drop:
                    fake._record(Call(parts.path, parts.query, None, auth))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault is not None:
                    status, headers, body = fault.status, fault.headers, fault.body
                else:
                    status, body = fake._route(parts.path, parse_qs(parts.query, keep_blank_values=True), auth)
                    headers = {}
                fake._record(Call(parts.path, parts.query, status, auth))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _take_fault(self, path: str, query: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and path.startswith(fault.prefix) and fault.query in query:
                    fault.times -= 1
                    return fault
        return None

    def _route(self, path: str, query: dict[str, list[str]], auth: str | None) -> tuple[int, bytes]:
        site = self.site
        if path == "/_edge/tenant_info":
            return 200, json.dumps({"cloudId": site.cloud_id}).encode()
        gateway = f"/ex/confluence/{site.cloud_id}"
        if path.startswith("/ex/confluence/"):
            if not path.startswith(gateway + "/") or not (auth or "").startswith("Bearer "):
                return 404 if not path.startswith(gateway + "/") else 401, b"{}"
            path = path[len(gateway):]
        elif (auth or "").startswith("Bearer "):
            return 401, b'{"message": "OAuth tokens go through the gateway"}'
        if auth not in self.expected:
            return 401, b'{"code": 401, "message": "Unauthorized"}'
        if not path.startswith(V2 + "/"):
            return 404, b"{}"
        return self._api(path[len(V2):], query)

    def _api(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        site = self.site
        limit = int(query.get("limit", ["25"])[0])
        if not 1 <= limit <= 250:
            return 400, b'{"message": "limit"}'
        if path == "/spaces":
            start = int(base64.b64decode(query["cursor"][0]).decode()) if "cursor" in query else 0
            size = min(limit, site.page_size)
            chunk = site.spaces[start:start + size]
            links: dict[str, str] = {"base": SITE_BASE}
            if start + size < len(site.spaces):
                cursor = base64.b64encode(str(start + size).encode()).decode()
                links["next"] = f"{V2}/spaces?limit={limit}&cursor={cursor}"
            return 200, json.dumps({"results": chunk, "_links": links}).encode()
        if path == "/classification-levels":
            return (200, json.dumps(site.levels).encode()) if site.levels is not None else (404, b"{}")
        if path.startswith("/spaces/") and path.endswith("/classification-level/default"):
            if site.levels is None:
                return 404, b"{}"
            name = site.defaults.get(path.split("/")[2])
            level = next((lv for lv in site.levels if lv["name"] == name), None)
            return (200, json.dumps(level).encode()) if level else (404, b"{}")
        lists: dict[str, Callable[[], dict[str, dict[str, Any]]]] = {
            "/pages": lambda: site.pages, "/blogposts": lambda: site.blogposts, "/custom-content": lambda: site.custom}
        if path in lists:
            return self._batch(path, lists[path](), query)
        family, _, content_id = path.strip("/").partition("/")
        if family == "custom-content" and content_id in site.custom:
            return 200, json.dumps(site.custom[content_id]).encode()
        obj = site.singles.get(family, {}).get(content_id)
        return (200, json.dumps(obj).encode()) if obj else (404, b'{"message": "not found"}')

    @staticmethod
    def _batch(path: str, objects: dict[str, dict[str, Any]], query: dict[str, list[str]]) -> tuple[int, bytes]:
        if path == "/custom-content" and not query.get("type"):
            return 400, b'{"message": "type is required"}'
        ids = [i for value in query.get("id", []) for i in value.split(",") if i]
        if len(ids) > 250 or not all(i.isdigit() for i in ids):
            return 400, b'{"message": "id"}'
        statuses = {s for value in query.get("status", []) for s in value.split(",")} or {"current", "archived"}
        results = [objects[i] for i in ids if i in objects and objects[i].get("status", "current") in statuses
                   and (path != "/custom-content" or objects[i]["type"] in query["type"])]
        return 200, json.dumps({"results": results, "_links": {"base": SITE_BASE}}).encode()


def serve(site: Site, **kwargs: Any) -> Iterator[FakeConfluence]:
    with FakeConfluence(site, **kwargs) as server:
        yield server
