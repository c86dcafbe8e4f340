"""HTTP for `data refresh`: httpx for the requests, stamina for retries with exponential backoff.

What is ours, and why: a deadline for each request as a whole (httpx's timeouts are per network
operation, so a server trickling one byte a second would never time out), a deadline for the
whole refresh, a size limit per dataset enforced while the body streams in (nothing larger is
ever held in memory), and one error type (RefreshError) with the URL, the attempts and the fix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import stamina

from helpers.errors import DataError

USER_AGENT = "helpers-data-refresh/1.0 (research book on Finnish social assistance)"
MB = 1024 * 1024
# Largest answer accepted per dataset, in MB (the real ones are 0.1-5 MB); --max-response-mb overrides.
RESPONSE_LIMITS_MB = {"regions": 32.0, "metadata": 8.0, "sotkanet": 64.0, "population": 64.0, "unemployment": 256.0}


class RefreshError(DataError):
    """A download failed or returned something unusable; the last good release is unchanged."""


class _Retryable(Exception):
    """A failure worth another attempt: network error, timeout, HTTP 5xx/429, incomplete or invalid body."""


UNCHANGED = "the last good data release was not changed"


class Downloader:
    """One refresh's HTTP: a client, the refresh's deadline, its limits and its log."""

    def __init__(
        self,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        deadline: float,
        limits_mb: dict[str, float],
        log: Callable[[str], None],
    ) -> None:
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.deadline = deadline
        self.deadline_at = time.monotonic() + deadline
        self.limits_mb = limits_mb
        self.log = log
        self.step = "the refresh"  # what is being read, for errors raised while reading it
        # Retries are said on our log, in words; stamina's own log records would repeat them.
        stamina.instrumentation.set_on_retry_hooks([])
        self.client = httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "application/json"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _remaining(self, what: str) -> float:
        remaining = self.deadline_at - time.monotonic()
        if remaining <= 0:
            raise RefreshError(
                f"{what}: the refresh ran longer than its deadline of {self.deadline:g} s. Fix: try again later "
                f"or allow more time with --deadline; {UNCHANGED}."
            )
        return remaining

    def _read(self, method: str, url: str, data: bytes | None, what: str, dataset: str) -> bytes:
        budget = min(self.timeout, self._remaining(what))
        ends = time.monotonic() + budget
        limit = int(self.limits_mb.get(dataset, max(self.limits_mb.values())) * MB)
        headers = {"Content-Type": "application/json"} if data is not None else {}
        try:
            with self.client.stream(
                method, url, content=data, headers=headers, timeout=httpx.Timeout(budget)
            ) as response:
                if response.status_code >= 400:
                    reason = f"HTTP {response.status_code} {response.reason_phrase}"
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Retryable(reason)
                    raise RefreshError(
                        f"{what}: {method} {url} failed: {reason}. Fix: check the URL "
                        f"(--base-url/--statfin-url); {UNCHANGED}."
                    )
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise self._too_large(what, method, url, dataset, limit, f"it announced {int(declared)} bytes")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise self._too_large(what, method, url, dataset, limit, f"more than {limit} bytes arrived")
                    if time.monotonic() > ends:
                        raise _Retryable(
                            f"timed out after {budget:g} s (the whole answer must arrive within --timeout; "
                            f"{size} bytes had arrived)"
                        )
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {budget:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None

    def _too_large(self, what: str, method: str, url: str, dataset: str, limit: int, found: str) -> RefreshError:
        return RefreshError(
            f"{what}: {method} {url} answered more than the {limit / MB:g} MB accepted for {dataset} ({found}). "
            f"Fix: check the URL, or raise the limit with --max-response-mb; {UNCHANGED}."
        )

    def get_json(self, url: str, *, what: str, dataset: str, data: bytes | None = None):
        """GET (or POST ``data`` as JSON) and decode JSON, retrying what may pass on another attempt.

        Retries network errors, timeouts, HTTP 5xx/429, incomplete and invalid bodies (stamina,
        exponential backoff from ``backoff`` seconds); other HTTP errors, oversized answers and the
        refresh's deadline fail at once. Raises RefreshError naming the URL, the failure and the attempts.
        """
        self.step = what
        method = "POST" if data is not None else "GET"
        attempts = self.retries + 1
        last, made = "", 0
        try:
            for attempt in stamina.retry_context(
                on=_Retryable,
                attempts=attempts,
                timeout=max(0.001, self.deadline_at - time.monotonic()),
                wait_initial=self.backoff,
                wait_max=max(self.backoff, 1.0) * 2**attempts,
                wait_jitter=0.0,
                wait_exp_base=2,
            ):
                with attempt:
                    made = attempt.num
                    if attempt.num > 1:
                        self.log(f"  retry {attempt.num - 1}/{attempts - 1} for {what} ({last})")
                    try:
                        return decode_json(self._read(method, url, data, what, dataset))
                    except _Retryable as exc:
                        last = str(exc)
                        raise
        except _Retryable:
            pass
        if made < attempts:  # stamina stopped early: the next wait would pass the refresh's deadline
            raise RefreshError(
                f"{what}: the refresh ran into its deadline of {self.deadline:g} s after {made} attempt(s) "
                f"({last}). Fix: try again later or allow more time with --deadline; {UNCHANGED}."
            )
        raise RefreshError(
            f"{what}: {method} {url} failed after {attempts} attempt(s): {last}. Fix: check the network and the URL "
            f"(--base-url/--statfin-url), or try again later; {UNCHANGED}."
        )


def decode_json(body: bytes):
    """JSON from a body; an unreadable one (truncated, invalid, nested too deeply) is retryable."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Retryable(f"invalid JSON ({str(exc)[:200]}; {len(body)} bytes, ending {body[-40:]!r})") from None
    except RecursionError:
        raise _Retryable(f"invalid JSON (nested too deeply to read; {len(body)} bytes)") from None
