"""Tamper evidence: audit entries sealed into a hash chain whose blocks are signed.

Writes pay nothing: a scheduled task (`audit.seal`) takes the entries written since the
last block (older than AUDIT_SEAL_MARGIN_SECONDS, so no transaction that inserted one
is still open), and appends one block holding each entry's SHA-256 digest, chained to
the previous block's hash and signed (HMAC-SHA256) with AUDIT_SEAL_KEY, which lives in
the environment, not the database. Someone who can edit the database can recompute
digests and hashes but not the signatures.

`verify()` recomputes everything and names the first entry that no longer matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditBlock, AuditEntry

GENESIS = "0" * 64
BLOCK_SIZE = 5000
_LOCK_ID = 0x70616D69  # pg_advisory_xact_lock key for sealing ("pami")


def entry_payload(entry: AuditEntry, content_type: str) -> dict:
    """What an entry's digest covers: its content, with names and codes rather than ids."""
    return {
        "id": entry.pk,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "actor": entry.actor_name,
        "channel": entry.channel,
        "action": entry.action,
        "object_type": content_type,
        "object_id": entry.object_id,
        "object": entry.object_repr,
        "unit": entry.unit_code,
        "changes": entry.changes,
    }


def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _content_types() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def entry_digest(entry: AuditEntry, content_types: dict[int, str]) -> str:
    payload = entry_payload(entry, content_types.get(entry.content_type_id, "?"))
    return hashlib.sha256(_canonical(payload)).hexdigest()


def block_hash(*, number: int, first: int, last: int, digests: list[str], previous: str) -> str:
    header = {"number": number, "first": first, "last": last, "previous": previous}
    return hashlib.sha256(_canonical(header) + b"\n" + "\n".join(digests).encode()).hexdigest()


def sign(block_hash_hex: str, key: str | None = None) -> str:
    secret = (key or settings.PAMILU_AUDIT_SEAL_KEY).encode()
    return hmac.new(secret, block_hash_hex.encode(), hashlib.sha256).hexdigest()


def _entries(first: int, last: int | None = None, limit: int | None = None):
    qs = AuditEntry.objects.filter(pk__gte=first).order_by("pk")
    if last is not None:
        qs = qs.filter(pk__lte=last)
    return qs[:limit] if limit else qs.iterator(chunk_size=2000)


@transaction.atomic
def seal_pending(*, limit: int = BLOCK_SIZE, now: dt.datetime | None = None) -> AuditBlock | None:
    """Append one block sealing the entries since the last block; None if there are none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
    head = AuditBlock.objects.order_by("-number").first()
    after = head.last_entry_id if head else 0
    margin = dt.timedelta(seconds=settings.PAMILU_AUDIT_SEAL_MARGIN_SECONDS)
    cutoff = (now or timezone.now()) - margin
    entries = list(AuditEntry.objects.filter(pk__gt=after, at__lte=cutoff).order_by("pk")[:limit])
    if not entries:
        return None
    content_types = _content_types()
    digests = [entry_digest(e, content_types) for e in entries]
    number = head.number + 1 if head else 1
    previous = head.hash if head else GENESIS
    first, last = after + 1, entries[-1].pk
    hashed = block_hash(number=number, first=first, last=last, digests=digests, previous=previous)
    return AuditBlock.objects.create(
        number=number,
        first_entry_id=first,
        last_entry_id=last,
        entry_digests=[[e.pk, d] for e, d in zip(entries, digests, strict=True)],
        previous_hash=previous,
        hash=hashed,
        signature=sign(hashed),
    )


def seal_all(*, now: dt.datetime | None = None) -> int:
    """Seal everything that is due, block by block. Returns the number of blocks added."""
    count = 0
    while seal_pending(now=now) is not None:
        count += 1
    return count


@dataclass
class Verdict:
    ok: bool
    blocks: int = 0
    sealed_entries: int = 0
    unsealed_entries: int = 0
    problem: str = ""
    broken_entry_id: int | None = None
    broken_block: int | None = None
    notes: list[str] = field(default_factory=list)


def verify(*, key: str | None = None) -> Verdict:
    """Recompute the chain: every block's hash and signature, every entry's digest."""
    content_types = _content_types()
    verdict = Verdict(ok=True)
    previous = GENESIS
    expected_number = 1
    last_sealed = 0
    for block in AuditBlock.objects.order_by("number").iterator(chunk_size=50):
        verdict.blocks += 1
        stored = [(int(pk), digest) for pk, digest in block.entry_digests]

        def broken(problem: str, entry_id: int | None = None, block=block) -> Verdict:
            verdict.ok = False
            verdict.problem = problem
            verdict.broken_entry_id = entry_id
            verdict.broken_block = block.number
            return verdict

        if block.number != expected_number:
            return broken(f"blok #{expected_number} hilang (berikutnya #{block.number})")
        if block.previous_hash != previous or block.first_entry_id != last_sealed + 1:
            return broken(f"blok #{block.number} tidak bersambung dengan blok sebelumnya")
        recomputed = block_hash(
            number=block.number,
            first=block.first_entry_id,
            last=block.last_entry_id,
            digests=[d for _pk, d in stored],
            previous=block.previous_hash,
        )
        if recomputed != block.hash:
            return broken(f"isi blok #{block.number} diubah (hash tidak cocok)")
        if not hmac.compare_digest(sign(block.hash, key), block.signature):
            return broken(f"tanda tangan blok #{block.number} tidak sah")
        actual = {e.pk: e for e in _entries(block.first_entry_id, block.last_entry_id)}
        for pk, digest in stored:
            entry = actual.pop(pk, None)
            if entry is None:
                return broken(f"catatan #{pk} hilang", pk)
            if entry_digest(entry, content_types) != digest:
                return broken(f"catatan #{pk} diubah", pk)
        if actual:
            pk = min(actual)
            return broken(f"catatan #{pk} disisipkan ke dalam rentang yang sudah disegel", pk)
        verdict.sealed_entries += len(stored)
        previous = block.hash
        last_sealed = block.last_entry_id
        expected_number += 1
    verdict.unsealed_entries = AuditEntry.objects.filter(pk__gt=last_sealed).count()
    return verdict
