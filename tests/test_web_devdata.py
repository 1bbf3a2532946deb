"""The synthetic load-data generator behind the web benchmark, on both backends."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from sdgmap.cli import cli
from sdgmap.cli.devdata import generate
from sdgmap.store.activity_queries import count_activities
from sdgmap.store.filters import ActivityFilter
from sdgmap.store.models import Activity, ActivityLink, ActivitySource


def test_generate_is_deterministic_and_leaves_ids_usable(store):
    assert generate(store, 120, seed=3, batch=50) == 120
    with store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Activity)) == 120
        assert s.scalar(select(func.count()).select_from(ActivitySource)) == 120
        kinds = dict(s.execute(select(ActivityLink.kind, func.count()).group_by(ActivityLink.kind)).all())
        assert kinds["stated"] >= 120 and kinds["suggested"] > 0
        assert count_activities(s, ActivityFilter(text="synthetic")) == 120
        titles = [a.title for a in s.scalars(select(Activity).order_by(Activity.id).limit(3))]
        # a later ORM insert gets a fresh id (PostgreSQL's sequence was moved past the bulk ids)
        a = Activity(type="event", title="Added by hand")
        s.add(a)
        s.flush()
        assert a.id == 121
    other = type(store)(store.url)
    try:
        with other.transaction() as s:
            s.execute(ActivityLink.__table__.delete())
            s.execute(ActivitySource.__table__.delete())
            s.execute(Activity.__table__.delete())
        generate(other, 3, seed=3)
        with other.transaction() as s:
            again = [a.title for a in s.scalars(select(Activity).order_by(Activity.id).limit(3))]
        assert [t.split(" #")[0] for t in again] == [t.split(" #")[0] for t in titles]
    finally:
        other.dispose()


def test_generate_command(tmp_path):
    db = str(tmp_path / "gen.db")
    result = CliRunner().invoke(cli, ["--db", db, "generate", "--activities", "7"])
    assert result.exit_code == 0 and "Added 7 synthetic activities" in result.output
    result = CliRunner().invoke(cli, ["--db", db, "generate", "--activities", "0"])
    assert result.exit_code == 2
