"""The platform in a real browser (Debian chromium via Playwright): be invited, submit a
project, review and approve it, open a prize cycle, nominate the entry, vote, see the results;
and the platform pages pass axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sdgmap.platform import accounts
from sdgmap.store.models import utcnow
from sdgmap.store.platform_models import PrizeCycle
from webserver import CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser
PW = "correct horse battery"
os.environ["SDGMAP_ARGON2_PROFILE"] = "test"
accounts.configure_hashing("test")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _log_in(page, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PW)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/account$"))


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text())  # not an inline <script>: the CSP refuses those
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
        return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")


def test_invited_submit_review_nominate_vote_results(sqlite_store, browser):
    store = sqlite_store
    with store.transaction() as s:
        accounts.create_user(s, "secretariat", password=PW, role="admin", verified=True)
    with serve(store) as url:
        admin_ctx, maria_ctx, public_ctx = (browser.new_context() for _ in range(3))
        admin, maria, public = admin_ctx.new_page(), maria_ctx.new_page(), public_ctx.new_page()
        errors: list[str] = []
        for p in (admin, maria, public):
            p.on("pageerror", lambda e: errors.append(str(e)))
        a11y: list[str] = []

        # The secretariat invites a contributor; the link is shown once, to be passed on.
        _log_in(admin, url, "secretariat")
        admin.goto(url + "/admin/users")
        a11y += [f"/admin/users: {v}" for v in _axe(admin)]
        admin.fill("form[action='/admin/users'] input[name=username]", "maria")
        admin.select_option("form[action='/admin/users'] select[name=role]", "contributor")
        admin.click("form[action='/admin/users'] button[type=submit]")
        link = admin.locator("#secret").inner_text()
        assert "/invite/" in link

        # Maria accepts the invitation, chooses a password and submits a project.
        maria.goto(link)
        maria.fill("input[name=password]", PW)
        maria.fill("input[name=password2]", PW)
        maria.click("main form button[type=submit]")
        maria.wait_for_url(re.compile(r"/account$"))
        maria.goto(url + "/submissions/new")
        a11y += [f"/submissions/new: {v}" for v in _axe(maria)]
        maria.fill("input[name=title]", "Smart villages broadband")
        maria.fill("input[name=organisation]", "Village Connect Initiative")
        maria.fill("input[name=country]", "Rwanda")
        maria.fill("textarea[name=description]", "Solar-powered community Wi-Fi hubs bring broadband "
                   "internet to rural schools and health centres, with digital skills training.")
        maria.check("input[name=action_lines][value=C2]")
        maria.check("input[name=sdg][value='4']")
        maria.fill("input[name=why_4]", "Schools get internet access and teachers are trained.")
        maria.click("button[value=submit]")
        maria.wait_for_url(re.compile(r"/submissions/\d+$"))
        sub_url = maria.url
        assert "submitted" in maria.locator("main").inner_text()
        assert public_ctx.request.get(sub_url).status == 404  # not public before approval

        # A reviewer (the admin) finds it in the queue with its flags and approves it.
        admin.goto(url + "/moderation")
        a11y += [f"/moderation: {v}" for v in _axe(admin)]
        admin.click("text=Smart villages broadband")
        assert admin.locator("ul.flags li").count() >= 1
        a11y += [f"submission (reviewer): {v}" for v in _axe(admin)]
        admin.click("button[value=approve]")
        admin.wait_for_url(re.compile(r"/moderation$"))
        assert "Nothing waiting" in admin.locator("main").inner_text()
        public.goto(sub_url)
        assert "approved" in public.locator("main").inner_text()

        # The admin opens a prize cycle with one category per Action Line and nominates it.
        admin.goto(url + "/prizes")
        admin.fill("input[name=name]", "WSIS Prizes test")
        admin.fill("input[name=opens]", (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
        admin.fill("input[name=closes]", (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
        admin.click("form[action='/prizes'] button[type=submit]")
        admin.wait_for_url(re.compile(r"/prizes/\d+$"))
        cycle_url = admin.url
        c2 = admin.locator("section.category", has=admin.locator("h2", has_text="C2 "))
        c2.locator("select[name=submission_id]").select_option(label="Smart villages broadband")
        c2.locator("button", has_text="Nominate").click()
        admin.wait_for_url(re.compile(r"/prizes/\d+$"))
        a11y += [f"prize page: {v}" for v in _axe(admin)]

        # The vote opens (the clock is moved rather than waited for); Maria votes once.
        with store.transaction() as s:
            cycle = s.scalar(select(PrizeCycle))
            cycle.vote_opens_at = utcnow() - timedelta(minutes=1)
        maria.goto(cycle_url)
        maria.click("button[aria-label^='Vote for Smart villages broadband']")
        maria.wait_for_url(re.compile(r"voted=1"))
        assert "(your vote)" in maria.locator("main").inner_text()
        assert maria.locator("button[aria-label^='Vote for']").count() == 0

        # After the close the public sees the results: the entry won its category.
        public.goto(cycle_url + "/results")
        assert "results are published when the vote closes" in public.locator("main").inner_text()
        with store.transaction() as s:
            s.scalar(select(PrizeCycle)).vote_closes_at = utcnow() - timedelta(seconds=1)
        public.goto(cycle_url + "/results")
        row = public.locator("table.results", has_text="C2 ").locator("tbody tr").first
        assert "Smart villages broadband" in row.inner_text() and "winner" in row.inner_text()
        a11y += [f"results: {v}" for v in _axe(public)]
        for ctx in (admin_ctx, maria_ctx, public_ctx):
            ctx.close()
    assert not errors
    assert not a11y, "\n".join(a11y)
