"""Screenshots of the main pages for the user guide: python tests/web_screenshots.py DB OUTDIR.

Serves DB (e.g. the demo database after ``sdgmap suggest``) and saves PNGs of the
overview, mapping, matrix, interlinkages, trends, activities, an activity with evidence,
the review queue, a classified text and the documents page, plus the activity list at
phone width.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

from sdgmap.frameworks.builtin import open_store
from sdgmap.store import Store
from sdgmap.store.models import ActivityLink
from webserver import CHROMIUM_ARGS, serve


def showcase_activity(store: Store) -> int:
    """An activity with evidence spans and suggestions: the best example of the detail page."""
    with store.transaction() as s:
        row = s.execute(
            select(ActivityLink.activity_id, func.count()).where(ActivityLink.span_start.is_not(None))
            .group_by(ActivityLink.activity_id).order_by(func.count().desc()).limit(1)).first()
    return row[0] if row else 1


def main(db: str, out: str) -> None:
    from playwright.sync_api import sync_playwright

    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    store = open_store(db)
    act = showcase_activity(store)
    shots = [("overview", "/", None), ("mapping", "/mapping", None),
             ("matrix", "/matrix?basis=framework&al=C2&goal=9", None), ("interlinkages", "/interlinkages", None),
             ("trends", "/trends", None), ("activities", "/activities?sdg=9", None),
             ("activity", f"/activities/{act}", "#src-h"), ("review", "/review", None),
             ("documents", "/documents", None)]
    with serve(store, classify_semantic=None) as url, sync_playwright() as p:  # the full classifier
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, path, anchor in shots:
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            if anchor:
                page.locator(anchor).scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -120)")
            page.screenshot(path=str(outdir / f"{name}.png"))
        page.goto(url + "/classify")
        page.get_by_label("Text").fill(
            "The programme connects rural schools to broadband through the universal service fund, "
            "and trains 5,000 girls and women in digital skills so that they can find decent jobs. "
            "It contributes to SDG 4.")
        page.get_by_role("button", name="Classify").click()
        page.wait_for_selector(".classify-result")
        page.set_viewport_size({"width": 1280, "height": 1400})
        page.screenshot(path=str(outdir / "classify.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(url + "/activities")
        page.screenshot(path=str(outdir / "activities-phone.png"))
        browser.close()
    store.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
