"""Fixtures of the connector tests: the golden traffic without inventory, a fake site serving it, fake time."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import Context, IngestOptions
from analyzer.connectors.confluence import Timing
from tests.connectors.fake_confluence import (
    FakeConfluence,
    Site,
    attachment,
    comment,
    custom_content,
    page,
    space,
    tree_object,
)

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
EMAIL = "fetcher@acme.example"
TOKEN = "ATATT3xFETCHs3cr3tT0ken"
OAUTH = "OAUTHb3arerS3cretV4lue"
CREDENTIALS = {"ATLASSIAN_EMAIL": EMAIL, "ATLASSIAN_API_TOKEN": TOKEN}
CUSTOM_TYPE = "ac:com.acme.app:thing"
BULK = [str(9000 + i) for i in range(300)]  # more page ids than one batched call takes

# Traffic beyond the golden log: every kind of content id the fetch resolves, by ReportBot after the
# HR rule became active (so HR objects are blocked, DEV objects allowed, unknown ones unknown_space).
EXTRA_TARGETS = [
    "/wiki/api/v2/blogposts/6001",             # blog post in DEV (batched)
    "/wiki/api/v2/attachments/att6101",        # attachment on page 6100 (HR), found through its container
    "/wiki/api/v2/footer-comments/6201",       # comment on page 5002 (DEV)
    "/wiki/api/v2/whiteboards/6301",           # whiteboard whose web UI link names HR
    "/wiki/api/v2/folders/6401",               # folder under page 5001 (HR)
    "/wiki/api/v2/databases/6501",             # database with no parent and no space in its link
    "/wiki/api/v2/custom-content/6601",        # custom content in HR
    "/wiki/rest/api/content/6701",             # v1: type unknown; a blog post in HR
    "/wiki/rest/api/content/6801",             # v1: type unknown; does not exist
    *(f"/wiki/api/v2/pages/{i}" for i in BULK),  # pages in DEV
]


def acme_site() -> Site:
    """The golden fixture's acme site as Confluence would serve it (spaces over three pages)."""
    levels = [{"id": f"l{i}", "status": "PUBLISHED", "order": i, "name": name, "description": "", "guideline": "",
               "color": "RED"} for i, name in enumerate(("confidential", "internal"), start=1)]
    site = Site(
        spaces=[space("101", "HR", "Human Resources"), space("102", "DEV", "Engineering"),
                space("103", "~abc", "Cole, Ann (personal)", "personal"),
                space("104", "OLD", "Old stuff", status="archived"), space("105", "MKT", "Marketing")],
        levels=levels, defaults={"101": "confidential", "102": "internal", "103": "internal"},
        pages={"5001": page("5001", "101", "HR"), "5002": page("5002", "102", "DEV"),
               "5003": page("5003", "103", "~abc"), "6100": page("6100", "101", "HR", status="trashed"),
               **{i: page(i, "102", "DEV") for i in BULK}},
        blogposts={"6001": page("6001", "102", "DEV"), "6701": page("6701", "101", "HR")},
        custom={"6601": custom_content("6601", "101", CUSTOM_TYPE)},
        singles={
            "attachments": {"att6101": attachment("att6101", page_id="6100")},
            "footer-comments": {"6201": comment("6201", page_id="5002")},
            "whiteboards": {"6301": tree_object("6301", "whiteboard", key="HR")},
            "folders": {"6401": tree_object("6401", "folder", parent=("5001", "page"))},
            "databases": {"6501": tree_object("6501", "database")},
        },
    )
    return site


def write_extra_log(path: Path) -> Path:
    lines = [f'acme.atlassian.net:443 10.0.0.12 - - [20/Sep/2026:10:{n // 60:02d}:{n % 60:02d} +0000] '
             f'"GET {target} HTTP/1.1" 200 512 "-" "ReportBot/1.4"' for n, target in enumerate(EXTRA_TARGETS)]
    path.write_text("\n".join(lines) + "\n")
    return path


class FakeTime:
    """A clock that moves only when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def clock(self) -> float:
        with self._lock:
            return self.now

    def timing(self, **kwargs: float) -> Timing:
        return Timing(sleep=self.sleep, clock=self.clock, jitter=lambda low, high: high, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake server is local: no proxy from the environment may stand in between."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("ATLASSIAN_EMAIL", "ATLASSIAN_API_TOKEN", "ATLASSIAN_OAUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def server() -> Iterator[FakeConfluence]:
    with FakeConfluence(acme_site(), email=EMAIL, token=TOKEN, oauth=OAUTH) as fake:
        yield fake


@pytest.fixture(scope="session")
def _golden_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden-fetch")
    db = root / "template.duckdb"
    with Context(db) as ctx:
        ctx.ingest([GOLDEN / "access.log", write_extra_log(root / "extra.log")], IngestOptions())
        ctx.load_apps(GOLDEN / "apps.yaml")
        ctx.load_rules(GOLDEN / "rules.yaml")
    return db


@pytest.fixture
def golden_db(tmp_path: Path, _golden_template: Path) -> Path:
    """The golden traffic plus the extra lines, with the golden apps and rules and no inventory (a copy)."""
    db = tmp_path / "fetch.duckdb"
    shutil.copy(_golden_template, db)
    return db
