"""Is it healthy? One answer per part (store, broker, heartbeats, queue age), shared by
`ingest health`, `/readyz` and `/metrics`. Each check is bounded in time and never raises."""
from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from tasks import heartbeat
from tasks.store import Store
from tasks.store import ops

BROKER_TIMEOUT = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def store_check(store: Store) -> Check:
    try:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").scalar()
        return Check("store", True, store.safe_url)
    except Exception as exc:  # noqa: BLE001 - any failure means "not answering"
        return Check("store", False, f"{store.safe_url} does not answer: {type(exc).__name__}: {_short(exc)}")


def _redis(settings: Settings):
    import redis
    return redis.Redis.from_url(settings.broker_url, socket_timeout=BROKER_TIMEOUT,
                                socket_connect_timeout=BROKER_TIMEOUT)


def broker_check(settings: Settings) -> Check:
    if settings.embedded:
        return Check("broker", True, "none (embedded)")
    try:
        client = _redis(settings)
        try:
            client.ping()
        finally:
            client.close()
        return Check("broker", True, safe_broker_url(settings))
    except Exception as exc:  # noqa: BLE001
        return Check("broker", False, f"{safe_broker_url(settings)} does not answer: {_short(exc)}")


def queue_depth(settings: Settings) -> dict[str, int] | None:
    """Tasks waiting on the queue and delivered-but-unacked, read straight from Redis (kombu's
    keys: the queue's list and the `unacked` hash); None when embedded or unreachable."""
    if settings.embedded:
        return None
    try:
        client = _redis(settings)
        try:
            return {"waiting": int(client.llen(settings.queue)), "unacked": int(client.hlen("unacked"))}
        finally:
            client.close()
    except Exception:  # noqa: BLE001
        return None


def heartbeat_checks(settings: Settings, now: float | None = None) -> list[Check]:
    checks = []
    for beat in heartbeat.read_all(settings.heartbeat_dir, now):
        ok = beat.age <= settings.heartbeat_max_age
        checks.append(Check(f"heartbeat {beat.name}", ok, f"last beat {beat.age:.0f} s ago"
                            + ("" if ok else f", over INGEST_HEARTBEAT_MAX_AGE={settings.heartbeat_max_age:g} s")))
    return checks


def queued_age_check(settings: Settings, store: Store) -> Check:
    try:
        with store.engine.connect() as conn:
            age = ops.oldest_queued_seconds(conn)
    except Exception as exc:  # noqa: BLE001
        return Check("queue age", False, f"cannot read the store: {_short(exc)}")
    ok = age <= settings.max_queued_age
    return Check("queue age", ok, f"oldest queued dump waited {age:.0f} s"
                 + ("" if ok else f", over INGEST_MAX_QUEUED_AGE={settings.max_queued_age:g} s: are workers running?"))


def readiness(settings: Settings, store: Store) -> list[Check]:
    return [store_check(store), broker_check(settings)]


def health(settings: Settings, store: Store) -> list[Check]:
    checks = readiness(settings, store)
    if checks[0].ok:
        checks.append(queued_age_check(settings, store))
    return checks + heartbeat_checks(settings)


def safe_broker_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url
    try:   # the same password hiding as the store's URL
        return make_url(settings.broker_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return settings.broker_url.split("@")[-1]


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


