"""Before/after in Chromium: two stored sessions of one patient side by side.

The sessions are built through the store API from real engine results (a clip of knees
pressed back and a hollow back, then a photo of a neutral stance; the same walk in both),
with the "key_frame" annotation the app stores on save. The clinician opens the history,
picks the two sessions, sees both key frames aligned with the plumb line, the walks'
player, the trend charts, and downloads the PDF, which gains the comparison page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from store import SessionStore
from tests.pdf_pages import page_count, render_page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CODE = "E2E-CMP"


def _analyse(path: Path, out_dir: Path) -> dict[str, Any]:
    """One engine run: the report, the annotated output, key frame 0 and its landmarks
    (the annotation the app saves), as the app's save stores them."""
    import posture
    from ui.engine import evidence_times, read_frames_at

    photo = path.suffix.lower() in (".jpg", ".png")
    annotated = out_dir / (path.stem + ("-annotated.png" if photo else "-annotated.mp4"))
    analysis = posture.analyse(path, annotated_path=annotated)
    report = analysis.report.to_dict()
    if photo:
        frames = [("", "photo", np.asarray(Image.open(annotated).convert("RGB")), 0.0)]
    else:
        wanted = evidence_times(report)
        frames = [(fid, cap, img, t) for (fid, cap, img), (_, _, t)
                  in zip(read_frames_at(annotated, wanted), wanted, strict=False)]
    media: dict[str, Any] = {}
    annotations: dict[str, Any] = {}
    if not photo:
        media["annotated_video.mp4"] = annotated.read_bytes()
    pose = analysis.pose
    if frames:
        _, _, image, t_s = frames[0]
        png = out_dir / f"{path.stem}-key0.png"
        Image.fromarray(image).save(png)
        media["key_frame_0.png"] = png.read_bytes()
        k = int(np.argmin(np.abs(pose.t_s - t_s)))
    else:
        # Nothing flagged, so no key frame picture: the app stores the landmarks of a
        # middle frame, and the comparison reads that frame from the annotated video.
        found = np.flatnonzero(pose.found)
        k = int(found[found.size // 2])
    if pose.found[k]:
        xy = pose.xy_px[k]
        annotations["key_frame"] = {
            "frame_index": int(pose.frame_index[k]), "t_s": float(pose.t_s[k]),
            "image_size": [int(pose.width_px), int(pose.height_px)],
            "landmarks_px": [[float(x), float(y)] if np.isfinite([x, y]).all() else [None, None]
                             for x, y in xy],
        }
    return {"report": report, "media": media, "annotations": annotations}


@pytest.fixture(scope="session")
def engine_steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The engine's results for the three samples, analysed once per test run."""
    names = {"hyper": "stand_side_hyperextended_knees.mp4", "neutral": "stand_side_neutral.jpg",
             "walk": "walk_side_normal.mp4"}
    missing = [n for n in names.values() if not (SAMPLES / n).is_file()]
    if missing:
        pytest.skip(f"samples not found: {missing}")
    out = tmp_path_factory.mktemp("compare-engine")
    return {key: _analyse(SAMPLES / name, out) for key, name in names.items()}


def _save(store: SessionStore, steps: dict[str, dict[str, Any]], note: str) -> int:
    return store.save_session(
        CODE, {k: v["report"] for k, v in steps.items()}, note=note,
        media={k: v["media"] for k, v in steps.items()},
        annotations={k: v["annotations"] for k, v in steps.items() if v["annotations"]},
    )


def _pick(page, key: str, label: str) -> None:  # noqa: ANN001
    """Choose ``label`` in the selectbox ``key``; a rerun that closes the list while it
    opens (a busy machine) gets another try."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(f'[class*="st-key-{key}"]')
    box.wait_for()
    if label in box.inner_text():
        return  # already chosen (the default): opening the list would only cover the page
    for _ in range(3):
        box.click()
        option = page.get_by_role("option", name=label, exact=True)
        try:
            option.wait_for(timeout=10_000)
            option.scroll_into_view_if_needed(timeout=5_000)
            option.click(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        page.wait_for_timeout(500)
        return
    raise AssertionError(f"{label!r} is not offered in {key}")


def test_two_sessions_side_by_side(app_server, page, shot, engine_steps, tmp_path) -> None:  # noqa: ANN001
    store = SessionStore(app_server["db"])
    first = _save(store, {"standing_side": engine_steps["hyper"],
                          "walking_side": engine_steps["walk"]}, "first visit")
    second = _save(store, {"standing_side": engine_steps["neutral"],
                           "walking_side": engine_steps["walk"]}, "after six weeks")
    records = {r.id: r for r in store.list_sessions(CODE)}
    assert records[first].annotations["standing_side"]["key_frame"]["image_size"]

    page.goto(app_server["url"] + "/?mode=session")
    page.get_by_role("heading", name="Screening session").wait_for()
    page.get_by_role("tab", name="Patient history").click()
    _pick(page, "hist-patient", CODE)
    page.get_by_text("Before and after").first.wait_for()

    # Pick the two sessions (the later one is shown first, so pick it as "now" and the
    # first visit as "before").
    from ui.compare import session_label

    _pick(page, f"hist-cmp-{second}-before", session_label(records[first]))
    _pick(page, f"hist-cmp-{second}-now", session_label(records[second]))
    page.get_by_role("heading", name=re.compile("^Compared with the session of")).wait_for()

    # Both key frames, aligned at the feet with the plumb line, captioned with date and values;
    # the walks flagged nothing, so their frames come from the annotated videos.
    page.get_by_text("Standing, side-on: plumb line through the ankle").wait_for()
    page.get_by_text("Walking, side-on: plumb line through the ankle").wait_for()
    before_caption = page.get_by_text(f"Before: {session_label(records[first])}")
    now_caption = page.get_by_text(f"Now: {session_label(records[second])}")
    before_caption.first.wait_for()
    now_caption.first.wait_for()
    assert page.get_by_text(re.compile(r"Hollow back.*: Seen, moderate, 11\.\d°")).count() >= 1
    images = page.locator('[data-testid="stImage"] img')
    images.nth(3).wait_for()  # images mount one by one; wait for the fourth, not a count
    sizes = images.evaluate_all("els => els.map(e => [e.naturalWidth, e.naturalHeight])")
    assert len({tuple(s) for s in sizes[-4:]}) == 1, sizes  # one canvas size for all
    assert page.get_by_text("Not aligned").count() == 0

    # The walks' player: two videos, the second at the ratio of the cycle times (1.0 here:
    # the same walk), both moving after one click.
    frame = page.frame_locator("iframe[srcdoc]").first
    frame.locator("#play").wait_for()
    assert frame.locator("video").count() == 2
    frame.locator("body[data-ready='1']").wait_for(state="attached", timeout=30_000)
    frame.locator("#play").click()
    page.wait_for_timeout(1500)
    times = frame.locator("video").evaluate_all(
        "vs => vs.map(v => [v.currentTime, v.playbackRate, v.paused])")
    assert all(t > 0.3 and not paused for t, _, paused in times), times
    assert abs(times[0][0] - times[1][0]) < 0.2, times  # same walk, same start: in step
    frame.locator("#play").click()

    # A trend chart per check, thresholds drawn.
    charts = page.locator(".js-plotly-plot")
    charts.first.wait_for()
    titles = " ".join(charts.all_inner_texts())
    assert "Hollow back" in titles and "threshold" in titles
    assert page.locator('[data-testid="stException"]').count() == 0
    shot(page, "compare-sessions")

    # The PDF with the comparison page: one page more than the session's own report.
    with page.expect_download() as plain_dl:
        page.locator(f'.st-key-hist-{second}-pdf button').first.click()
    plain = Path(plain_dl.value.path()).read_bytes()
    with page.expect_download() as cmp_dl:
        button = page.locator(f'.st-key-hist-cmp-{second}-pdf button').first
        assert "Download PDF report with this comparison" in button.inner_text()
        button.click()
    compared = Path(cmp_dl.value.path()).read_bytes()
    assert compared.startswith(b"%PDF-") and plain.startswith(b"%PDF-")
    assert page_count(compared) == page_count(plain) + 1
    rgb = render_page(compared, 2, tmp_path, "compare-sessions-pdf-page.png", dpi=70)
    plumb = (np.abs(rgb - np.array((0, 110, 220))).sum(axis=2) < 60).sum()
    assert plumb > 50  # the two pictures' plumb lines


def test_sync_player_keeps_a_slower_walk_in_step(page) -> None:  # noqa: ANN001
    """The player alone in Chromium: the second walk plays at the ratio of the cycle times
    from its own heel strike, and stays in step while both play."""
    from reports.before_after import GaitSync
    from ui.compare import sync_html

    clip = SAMPLES / "walk_side_normal.mp4"
    if not clip.is_file():
        pytest.skip(f"sample not found: {clip}")
    video = clip.read_bytes()
    sync = GaitSync("left", (0.2, 0.5), (1.0, 1.25))
    page.set_content(sync_html(video, video, sync, ("Before", "Now")))
    page.locator("body[data-ready='1']").wait_for(state="attached", timeout=30_000)
    start = page.locator("video").evaluate_all("vs => vs.map(v => v.currentTime)")
    assert start == pytest.approx([0.2, 0.5], abs=0.05)
    page.locator("#play").click()
    page.wait_for_timeout(1200)
    a, b, rate = page.evaluate(
        "() => { const [a, b] = document.querySelectorAll('video');"
        " return [a.currentTime, b.currentTime, b.playbackRate]; }")
    assert rate == pytest.approx(1.25)
    assert a > 0.6  # playing
    assert b - 0.5 == pytest.approx((a - 0.2) * 1.25, abs=0.15)  # in step
    page.locator("#play").click()
    assert page.evaluate("() => [...document.querySelectorAll('video')].every(v => v.paused)")
