"""Sixteen reps at once: every command is acknowledged, nothing is lost or doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from store.models import Activity, Lead, Organization


def test_many_reps_at_once(bot, fake, db):
    users = [f"U{i}" for i in range(1, 4)]
    with ThreadPoolExecutor(16) as pool:
        created = list(pool.map(lambda i: bot.command(f'new "Shop {i:02d}"', user=users[i % 3], wait=False),
                                range(32)))
    bot.executor.wait_idle()
    assert all(r.status == 200 and r.elapsed < 1.5 for r in created)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 32
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.card_ts.is_not(None))) == 32
    assert len([m for m in fake.of("chat.postMessage") if not m.get("thread_ts")]) == 32

    with ThreadPoolExecutor(16) as pool:
        logged = list(pool.map(lambda i: bot.command(f'log "Shop 07" note {i}', wait=False), range(24)))
    bot.executor.wait_idle()
    assert all(r.status == 200 for r in logged)
    with db.read() as s:
        lead = s.scalars(select(Lead).join(Lead.organization).where(Organization.name == "Shop 07")).one()
        texts = s.scalars(select(Activity.text).where(Activity.lead_id == lead.id)).all()
    assert sorted(texts) == sorted(f"note {i}" for i in range(24))
    lines = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len(lines) == 24  # one thread line per note, none twice

    with ThreadPoolExecutor(16) as pool:
        opened = list(pool.map(lambda i: bot.command(f'update "Shop {i:02d}"', wait=False), range(16)))
    bot.executor.wait_idle()
    assert all(r.status == 200 for r in opened)
    assert len(fake.of("views.open")) == 16  # every modal inside its trigger window
