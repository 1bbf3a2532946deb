"""The web app in a real browser (Debian chromium via Playwright): the main journeys,
accessibility (axe-core) and phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from sdgmap.store.models import ActivityLink, Document
from webdata import build
from webserver import CHROMIUM_ARGS, serve

pytestmark = pytest.mark.browser
AXE = Path(__file__).with_name("vendor") / "axe.min.js"


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def site(sqlite_store, browser):
    ids = build(sqlite_store)
    with serve(sqlite_store) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page, url, sqlite_store, ids, errors
        page.close()


def test_overview_charts_and_palette(site):
    page, url, _, _, errors = site
    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("ul.goals > li").count() == 17
    page.wait_for_selector("#chart-goals .chart-canvas svg")
    toggle = page.locator("#palette-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("#palette-toggle").get_attribute("aria-pressed") == "true"
    with page.expect_download() as dl:
        page.locator("#chart-goals [data-act=svg]").click()
    assert dl.value.suggested_filename == "sdgmap-goals.svg"
    with page.expect_download() as dl:
        page.locator("#chart-goals [data-act=png]").click()
    assert dl.value.suggested_filename == "sdgmap-goals.png"
    assert not errors


def test_api_docs_and_charts_work_under_the_content_security_policy(site):
    """Swagger UI (one inline script, allowed by its hash) and the chart pages run with the
    app's Content-Security-Policy: no refused script, style or request in the console."""
    page, url, _, _, errors = site
    page.goto(url + "/api/v1/docs")
    page.wait_for_selector("#swagger-ui .opblock-summary-path", timeout=30000)
    assert page.locator("#swagger-ui .opblock").count() > 5
    for path in ("/", "/mapping", "/trends", "/interlinkages", "/matrix"):
        response = page.goto(url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    assert page.locator(".chart-canvas svg, .chart-canvas canvas").count() > 0
    assert not errors, errors


EDGE_MIDPOINT = """([source, target]) => {
    const el = document.querySelector('#chart-sankey .chart-canvas');
    const graph = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getGraph();
    let found = null;
    graph.eachEdge(e => {
        const d = e.getModel().option;
        if (d.source !== source || d.target !== target) return;
        const a = e.node1.getLayout(), b = e.node2.getLayout(), l = e.getLayout();
        const box = el.getBoundingClientRect();
        found = {x: box.left + (a.x + a.dx + b.x) / 2,
                 y: box.top + (a.y + l.sy + b.y + l.ty + l.dy) / 2};
    });
    return found;
}"""


def test_follow_a_sankey_flow_to_its_activities(site):
    page, url, _, _, errors = site
    page.goto(url + "/mapping")
    page.wait_for_selector("#chart-sankey .chart-canvas svg path")
    page.wait_for_load_state("networkidle")  # fonts and late layout: the band must not move after we measure it
    # click the band in the chart itself
    point = page.evaluate(EDGE_MIDPOINT, ["wsis:C2", "sdg:4"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/activities\?action_line=C2&sdg=4"))
    assert page.locator(".result h3").all_inner_texts() == ["Broadband for schools"]
    # and the same flow from the table view (keyboard users)
    page.go_back()
    page.locator("#chart-sankey summary").click()
    page.locator('a.flow-link[data-source="wsis:C2"][data-target="sdg:4"]').click()
    page.wait_for_url(re.compile(r"/activities\?action_line=C2&sdg=4"))
    assert page.locator(".result h3").all_inner_texts() == ["Broadband for schools"]
    assert not errors


def test_search_filter_and_open_evidence(site):
    page, url, _, ids, errors = site
    page.goto(url + "/activities")
    page.fill("#q", "schools")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=schools"))
    assert page.locator(".result h3").all_inner_texts() == ["Broadband for schools"]
    page.fill("#q", "")
    page.press("#q", "Enter")
    page.wait_for_selector("#facets .count")  # counts arrive after the page
    page.locator("#facets a", has_text="publication").click()
    page.wait_for_url(re.compile(r"type=publication"))
    assert page.locator(".result h3").all_inner_texts() == ["Cybersecurity guide"]
    page.goto(url + "/activities?sdg=4")
    page.locator(".result h3 a").first.click()
    page.wait_for_url(re.compile(rf"/activities/{ids['broadband']}$"))
    marks = page.locator(".doc-text mark").all_inner_texts()
    assert "women's participation in ICT careers" in marks and "quality education" in marks
    assert "sdg:5" in page.locator(".doc-text mark", has_text="women").get_attribute("title")
    assert not errors


def test_accept_a_suggestion_in_the_review_queue(site):
    page, url, store, ids, errors = site
    page.goto(url + "/review")
    page.fill("input[name=reviewer]", "Browser Reviewer")
    page.locator(f'button[value="accept:{ids["sugg_broadband"]}"]').click()
    page.wait_for_selector(".notice")
    assert "1 accept" in page.locator(".notice").inner_text()
    assert page.locator("table.queue tbody tr").count() == 1
    with store.transaction() as s:
        link = s.get(ActivityLink, ids["sugg_broadband"])
        assert (link.review, link.reviewed_by) == ("accepted", "Browser Reviewer")
    # bulk: select all remaining and reject
    page.check("#select-all")
    page.locator("button[value=reject]").click()
    page.wait_for_selector(".empty")
    assert not errors


def test_upload_a_document(site, seed_paths, tmp_path):
    pytest.importorskip("sdgmap.ingest")
    page, url, store, _, errors = site
    page.goto(url + "/documents")
    page.set_input_files("input[type=file]", str(seed_paths[0]))
    page.fill("input[name=entity]", "ITU")
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "was ingested" in page.locator(".notice").inner_text()
    with store.transaction() as s:
        assert s.scalar(select(Document).where(Document.filename == seed_paths[0].name)) is not None
    bad = tmp_path / "sdgmap-upload-test.exe"
    bad.write_bytes(b"MZ")
    page.set_input_files("input[type=file]", str(bad))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_selector(".error")
    assert "unsupported file type" in page.locator(".error").inner_text()
    assert not [e for e in errors if "415" not in e]


MAIN_PAGES = ["/", "/mapping", "/matrix", "/interlinkages", "/trends", "/activities", "/activities/1",
              "/review", "/classify", "/documents", "/node/sdg:9"]


def test_classify_a_text(site):
    page, url, _, _, errors = site
    page.goto(url + "/classify")
    page.get_by_label("Text").fill("Girls learn coding in schools connected to broadband. It supports SDG 5.")
    page.get_by_role("button", name="Classify").click()
    page.wait_for_selector(".classify-result")
    cards = page.locator(".goal-card h3").all_inner_texts()
    assert any(c.startswith("SDG 5") for c in cards), cards
    assert page.locator(".classify-result mark", has_text="SDG 5").count() == 1
    # the result page passes the same accessibility checks as the others
    page.evaluate(AXE.read_text())  # not an inline <script>: the CSP refuses those
    violations = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})).violations.map(v => v.id)""")
    assert not violations
    assert not errors


def test_accessibility_axe(site):
    page, url, _, _, _ = site
    problems = []
    for path in MAIN_PAGES:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        page.evaluate(AXE.read_text())  # not an inline <script>: the CSP refuses those
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
            return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
        }""")
        problems += [f"{path}: {v}" for v in result]
    assert not problems, "\n".join(problems)


def test_phone_width(site):
    page, url, _, ids, _ = site
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/activities", f"/activities/{ids['broadband']}", "/review", "/mapping", "/classify"):
        page.goto(url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at phone width"
