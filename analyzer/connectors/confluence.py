"""The Confluence Cloud REST client of ``appaccess inventory fetch``: auth, good manners, one-line errors.

Credentials come from the environment only (``ATLASSIAN_EMAIL`` + ``ATLASSIAN_API_TOKEN``
for basic auth on the site, or ``ATLASSIAN_OAUTH_TOKEN`` for a bearer token through the
API gateway ``https://api.atlassian.com/ex/confluence/{cloudId}``) and live only inside the
HTTP client's auth object: never stored, logged or put in a message.

Every call is a GET on one connection pool (httpx). ``429`` waits for ``Retry-After`` and
pauses every thread behind it; ``5xx`` (with a ``Retry-After`` when sent), timeouts and
dropped connections back off exponentially with full jitter; ``401``/``403``/``404`` become
one line that says what to fix. Waiting is injectable (:class:`Timing`) so tests never really sleep.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from analyzer.errors import RemoteError, RemoteNotFoundError, UsageError
from analyzer.version import __version__

ENV_EMAIL = "ATLASSIAN_EMAIL"
ENV_API_TOKEN = "ATLASSIAN_API_TOKEN"
ENV_OAUTH_TOKEN = "ATLASSIAN_OAUTH_TOKEN"
GATEWAY = "https://api.atlassian.com"
RESUME_HINT = "run the same command again later: the fetch resumes where it stopped"

# The OAuth scope each API family needs (x-atlassian-oauth2-scopes of the v2 spec), for 403 hints.
_SCOPES = {
    "spaces": "read:space:confluence", "classification-levels": "read:configuration:confluence",
    "pages": "read:page:confluence", "blogposts": "read:page:confluence",
    "custom-content": "read:custom-content:confluence", "attachments": "read:attachment:confluence",
    "footer-comments": "read:comment:confluence", "inline-comments": "read:comment:confluence",
    "whiteboards": "read:whiteboard:confluence", "databases": "read:database:confluence",
    "folders": "read:folder:confluence", "embeds": "read:embed:confluence",
}


class _Bearer(httpx.Auth):
    """Bearer-token auth whose token never shows (not even in a repr or a traceback's locals)."""

    def __init__(self, token: str) -> None:
        self.__token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.__token}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer(<hidden>)"


@dataclass(frozen=True)
class Credentials:
    """How to authenticate; the secret stays inside ``auth`` and out of every repr."""

    scheme: str  # basic | bearer
    auth: httpx.Auth = field(repr=False, compare=False)

    @property
    def source(self) -> str:
        return f"{ENV_EMAIL} + {ENV_API_TOKEN}" if self.scheme == "basic" else ENV_OAUTH_TOKEN


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    """Basic (e-mail + API token) or bearer (OAuth token) credentials from the environment."""
    email = (env.get(ENV_EMAIL) or "").strip()
    token = (env.get(ENV_API_TOKEN) or "").strip()
    oauth = (env.get(ENV_OAUTH_TOKEN) or "").strip()
    if oauth and (email or token):
        raise UsageError(f"both {ENV_OAUTH_TOKEN} and {ENV_EMAIL}/{ENV_API_TOKEN} are set",
                         hint="unset the ones you do not mean to use")
    if oauth:
        return Credentials("bearer", _Bearer(oauth))
    if email and token:
        return Credentials("basic", httpx.BasicAuth(email, token))
    if email or token:
        missing = ENV_API_TOKEN if email else ENV_EMAIL
        raise UsageError(f"{missing} is not set", hint=f"basic auth needs both {ENV_EMAIL} and {ENV_API_TOKEN}")
    raise UsageError("no Confluence credentials in the environment",
                     hint=f"export {ENV_EMAIL} and {ENV_API_TOKEN} (an API token of that account), "
                          f"or {ENV_OAUTH_TOKEN} (an OAuth 2.0 access token)")


@dataclass(frozen=True)
class Timing:
    """How long to wait and how often to try; tests inject a fake ``sleep`` and ``clock``."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[float, float], float] = random.uniform
    attempts: int = 6              # per call, the first one included
    backoff: float = 0.5           # first back-off ceiling in seconds, doubled per attempt (full jitter)
    backoff_cap: float = 30.0
    max_retry_after: float = 600.0  # a longer Retry-After stops the fetch (it resumes when rerun)
    timeout: float = 30.0


def _path_of(url: str) -> str:
    """The path part of a URL or path, for messages (no query: nothing long, nothing private)."""
    return urlsplit(url).path or "/"


def _describe(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "timed out"
    if isinstance(error, httpx.ConnectError):
        return "connection refused or unreachable"
    if isinstance(error, httpx.RemoteProtocolError):
        return "connection dropped"
    return "connection failed"


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks to wait: ``Retry-After`` as seconds or as an HTTP date."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class ConfluenceClient:
    """GET calls to one Confluence Cloud site, shared by a few worker threads."""

    def __init__(self, site: str, credentials: Credentials, *, api_base: str | None = None,
                 concurrency: int = 4, timing: Timing | None = None) -> None:
        self.site = site
        self.credentials = credentials
        self.timing = timing or Timing()
        self._api_base = api_base.rstrip("/") if api_base else None
        # Basic auth talks to the site; bearer tokens go through the gateway once the cloud id is known.
        self._base: str | None = (self._api_base or f"https://{site}") if credentials.scheme == "basic" else None
        self._lock = threading.Lock()
        self._calls = 0
        self._pause_until = 0.0
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.timing.timeout),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            headers={"Accept": "application/json", "User-Agent": f"appaccess/{__version__}"},
            follow_redirects=False,
        )

    # -- what callers use ---------------------------------------------------------------
    @property
    def calls(self) -> int:
        """HTTP requests sent so far (retries included)."""
        with self._lock:
            return self._calls

    def tenant_info(self) -> str:
        """The site's cloud id (``GET /_edge/tenant_info``; public, so sent without credentials)."""
        origin = self._api_base or f"https://{self.site}"
        _, body = self._get(f"{origin}/_edge/tenant_info", None, frozenset())
        cloud_id = body.get("cloudId") if isinstance(body, dict) else None
        if not isinstance(cloud_id, str) or not cloud_id.strip():
            raise RemoteError("no cloudId in the answer to GET /_edge/tenant_info",
                              hint=f"is {self.site} a Confluence Cloud site?")
        return cloud_id.strip()

    def use_cloud_id(self, cloud_id: str) -> None:
        """Bearer tokens: send API calls through the gateway URL of this cloud id."""
        if self.credentials.scheme == "bearer":
            self._base = f"{self._api_base or GATEWAY}/ex/confluence/{cloud_id}"

    def get_json(self, path: str, *, missing_ok: Iterable[int] = ()) -> Any:
        """GET ``path`` (``/wiki/api/v2/...``, or a ``_links.next`` URL) under the API base.

        A status in ``missing_ok`` returns None instead of raising.
        """
        return self.get(path, missing_ok=missing_ok)[1]

    def get(self, path: str, *, missing_ok: Iterable[int] = ()) -> tuple[int, Any]:
        """Like :meth:`get_json`, with the status: ``(status, body)``, body None for ``missing_ok``."""
        if self._base is None:
            raise RemoteError("internal: the cloud id is needed before API calls through the gateway")
        return self._get(self._base + self._relative(path), self.credentials.auth, frozenset(missing_ok))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ConfluenceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one call ---------------------------------------------------------------------
    @staticmethod
    def _relative(path: str) -> str:
        """``/wiki/...`` from a relative path or from any URL (never follow a link to another host)."""
        parts = urlsplit(path)
        text = parts.path + (f"?{parts.query}" if parts.query else "")
        index = text.find("/wiki/")
        return text[index:] if index >= 0 else text if text.startswith("/") else "/" + text

    def _get(self, url: str, auth: httpx.Auth | None, missing_ok: frozenset[int]) -> tuple[int, Any]:
        timing = self.timing
        what = _path_of(url)
        for attempt in range(1, timing.attempts + 1):
            self._wait_for_pause()
            with self._lock:
                self._calls += 1
            last = attempt == timing.attempts
            try:
                response = self._http.get(url, auth=auth) if auth is not None else self._http.get(url)
            except httpx.TransportError as error:
                if last:
                    raise RemoteError(f"cannot reach {urlsplit(url).netloc}: {_describe(error)} on GET {what} "
                                      f"({attempt} attempts)", hint=RESUME_HINT) from None
                timing.sleep(self._backoff(attempt))
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                response.close()
                if last:
                    raise RemoteError(f"Confluence kept answering HTTP {status} on GET {what} ({attempt} attempts)",
                                      hint=RESUME_HINT)
                delay = _retry_after(response)  # sent with 429, sometimes with 503
                if delay is None:
                    delay = self._backoff(attempt)
                if delay > timing.max_retry_after:
                    raise RemoteError(f"Confluence asks to wait {delay:.0f}s before the next call "
                                      f"(HTTP {status} on GET {what})", hint=RESUME_HINT)
                self._pause(delay)
                continue
            if status in missing_ok:
                return status, None
            if 200 <= status < 300:
                return status, self._json(response, what)
            raise self._refusal(status, what, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.timing.backoff_cap, self.timing.backoff * 2 ** (attempt - 1))
        return self.timing.jitter(0.0, ceiling)

    def _pause(self, seconds: float) -> None:
        """Hold every thread's next call for ``seconds`` (rate limits are per client, not per call)."""
        with self._lock:
            self._pause_until = max(self._pause_until, self.timing.clock() + seconds)

    def _wait_for_pause(self) -> None:
        with self._lock:
            wait = self._pause_until - self.timing.clock()
        if wait > 0:
            self.timing.sleep(wait)

    @staticmethod
    def _json(response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except RecursionError:
            raise RemoteError(f"the answer to GET {what} is JSON nested too deeply to be read",
                              hint="a proxy in between may have replaced the answer; " + RESUME_HINT) from None
        except ValueError as error:
            detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            raise RemoteError(f"malformed JSON in the answer to GET {what}: {detail}",
                              hint="a proxy in between may have cut or replaced the answer; " + RESUME_HINT) from None

    def _refusal(self, status: int, what: str, response: httpx.Response) -> RemoteError:
        creds = self.credentials
        if status == 401:
            return RemoteError(f"Confluence refused the credentials (401 on GET {what})",
                               hint=f"wrong or expired token: check {creds.source}")
        if status == 403:
            family = re.sub(r"^/(?:ex/confluence/[^/]+/)?wiki/api/v2/", "", what).split("/")[0]
            need = (f"the OAuth token needs the scope {_SCOPES[family]}" if creds.scheme == "bearer"
                    and family in _SCOPES else "the account needs permission to use the site and view its spaces")
            return RemoteError(f"permission denied (403 on GET {what})", hint=need)
        if status == 404:
            return RemoteNotFoundError(f"not found (404 on GET {what}): {self.site} does not look like a "
                                       "Confluence Cloud site", hint="check SITE" + (
                                           " and --api-base" if self._api_base else ""))
        if 300 <= status < 400:
            target = urlsplit(response.headers.get("Location", "")).netloc or "elsewhere"
            return RemoteError(f"unexpected redirect (HTTP {status} on GET {what}) to {target}",
                               hint="check SITE" + (" and --api-base" if self._api_base else ""))
        return RemoteError(f"Confluence answered HTTP {status} on GET {what}")
