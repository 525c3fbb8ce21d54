"""The one pipeline as a library: planning from the probes, judging a capture, rejudging a
stored run (findings and evidence pictures reproduced), retention that keeps what a kept run
shows - without a network or a browser."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.artifacts import Artifact, Rendered
from crawler.capture import CaptureOptions
from govscan import pipeline
from govscan.retention import prune
from govscan.store import Store
from probes.base import Context, registry, select
from tests.helpers import site_from_pages

HOME = "https://gov.test/oz/buxoro"
SEARCH_PAGE = (
    "<html lang='uz'><body><header><form id='sf' action='/oz/buxoro/search' method='get'>"
    "<input type='search' name='q' placeholder='Qidiruv'><button>Qidirish</button></form>"
    "</header><main><a href='/oz/buxoro/contacts'>Bog‘lanish</a></main></body></html>")


def test_plan_asks_the_probes():
    """Artifacts and hints come from the selected probes only."""
    job = pipeline.plan(select(["search"]), CaptureOptions(max_pages=5), render=False)
    assert Artifact.SEARCH_QUERY in job.artifacts and Artifact.RENDERED not in job.artifacts
    assert [f.table for f in job.options.hints.follow] == ["search"]
    assert "form" in job.options.hints.boxes and job.options.max_pages == 5
    everything = pipeline.plan(registry().values())
    assert {"contacts", "appeal_section", "sitemap", "search", "news"} <= {
        f.table for f in everything.options.hints.follow}
    assert everything.options.hints.page_globals  # the chat vendors' globals
    assert Artifact.RENDERED in everything.artifacts


def test_exit_codes_in_one_place():
    assert pipeline.exit_code(["pass", "warn", "manual"]) == pipeline.EXIT_OK
    assert pipeline.exit_code({"pass": 3, "error": 1}) == pipeline.EXIT_FAILURES
    assert pipeline.exit_code({"pass": 3, "fail": 0}) == pipeline.EXIT_OK
    assert pipeline.exit_code([], completed=False) == pipeline.EXIT_ABORTED


def _rendered_site(shot: str):
    site = site_from_pages({HOME: SEARCH_PAGE},
                           gathered=("pages", "rendered", "search_query", "linked"))
    site.pages[0].rendered = Rendered(url=HOME, dom=SEARCH_PAGE, screenshot=shot,
                                      boxes={"form#sf": [100.0, 20.0, 300.0, 40.0]})
    return site


def test_element_evidence_is_tied_to_its_box_on_the_screenshot():
    site = _rendered_site("shots/ab/ab.png")
    [f] = pipeline.judge_site(select(["search"]), site, Context())
    pictured = [e for e in f.evidence if "box" in e.data]
    assert pictured and pictured[0].selector == "form#sf"
    assert pictured[0].data == {**pictured[0].data, "screenshot": "shots/ab/ab.png",
                                "box": [100.0, 20.0, 300.0, 40.0]}
    # not rendered: no picture, the same verdict
    plain = site_from_pages({HOME: SEARCH_PAGE}, gathered=("pages", "search_query"))
    [g] = pipeline.judge_site(select(["search"]), plain, Context())
    assert g.status == f.status and not any("box" in e.data for e in g.evidence)


def test_rejudge_reproduces_findings_and_pictures_and_prune_keeps_them(tmp_path):
    store = Store(tmp_path / "g.db")
    shot = "shots/ab/" + "ab" * 32 + ".png"
    (store.captures_dir / shot).parent.mkdir(parents=True)
    (store.captures_dir / shot).write_bytes(b"\x89PNG fake")
    site = _rendered_site(shot)
    probes = select(["search", "contact-us"])
    ctx = Context(now=dt.date(2026, 12, 1))
    run1 = store.start_run({"probes": [p.id for p in probes]}, [site.target])
    store.save_target_result(run1, site, pipeline.judge_site(probes, site, ctx))
    store.finish_run(run1, "completed", {})

    result = pipeline.rejudge(store, run1, now=dt.date(2026, 12, 1))
    assert result.source_run == run1 and result.run_id == run1 + 1

    def said(run):
        return [(f["indicator"], f["status"], f["summary"], f["evidence"], f["details"],
                 f["message"]) for f in store.findings(run)]

    assert said(result.run_id) == said(run1)
    assert any(e.get("data", {}).get("box") for f in store.findings(result.run_id)
               for e in f["evidence"])
    assert store.screenshots(result.run_id, site.target.id) == [
        {"url": HOME, "kind": "page", "path": shot}]

    # the kept re-judged run keeps the run it was judged from, and so its picture
    removed = prune(store, keep_runs=1)
    assert removed["runs"] == 0 and removed["kept"] == [run1, result.run_id]
    assert (store.captures_dir / shot).is_file()
    # once no kept run shows it, it goes; the findings of every run stay
    other = site_from_pages({HOME: SEARCH_PAGE})
    run3 = store.start_run({}, [other.target])
    store.save_target_result(run3, other, [])
    store.finish_run(run3, "completed", {})
    removed = prune(store, keep_runs=1)
    assert removed["files"] == 1 and removed["pruned"] == [run1, result.run_id]
    assert not (store.captures_dir / shot).exists()
    assert said(result.run_id) == said(run1) and store.run_ids() == [run1, result.run_id, run3]
    with pytest.raises(LookupError, match="pruned"):
        pipeline.rejudge(store, run1)
    store.close()


def test_rejudge_of_a_missing_run_is_a_lookup_error(tmp_path):
    store = Store(tmp_path / "g.db")
    with pytest.raises(LookupError):
        pipeline.rejudge(store, 7)
    store.close()
