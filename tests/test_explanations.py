"""Tests for the calf-pain knowledge base and the explanation stage.

Tests that need the calf-pain document or the research notes read them from beside the
checkout (../shared) and skip, saying why, where they are absent; nothing is copied into the
repository.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posture import knowledge as kb
from posture.errors import InputError
from posture.explanations import (
    DISCLAIMER,
    Explanation,
    RedFlag,
    Symptoms,
    combined_advice,
    explain,
    red_flag_questions,
    symptom_questions,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = PROJECT_ROOT.parent / "shared" / "source" / "calf-pain-document.txt"
RESEARCH_NOTES = PROJECT_ROOT.parent / "shared" / "research" / "clinical.md"

FINDING_IDS = (
    "hollow_back",
    "knee_hyperextension",
    "bent_knee",
    "weight_shift",
    "reduced_trunk_pelvis_motion",
)
SYMPTOM_FIELDS = {f.name for f in dataclasses.fields(Symptoms)}
# Stricter than the brief's "about 8": no run of this many words may match the sources.
MAX_SHARED_WORDS = 6


@dataclass(frozen=True)
class F:
    """A stand-in for posture.checks findings (only what `explain` reads)."""

    id: str
    status: str = "detected"
    severity: str = "moderate"
    side: str | None = None


def ids(explanations: list[Explanation]) -> list[str]:
    return [e.id for e in explanations]


def by_id(explanations: list[Explanation], cause_id: str) -> Explanation:
    return next(e for e in explanations if e.id == cause_id)


# --------------------------------------------------------------------------------------------
# Source files, parsed independently of the offsets stored in the knowledge base


@dataclass(frozen=True)
class Block:
    section: str
    paragraph: int
    document_paragraph: int
    start: int
    end: int


@pytest.fixture(scope="module")
def document_text() -> str:
    if not DOCUMENT.is_file():
        pytest.skip(f"calf-pain document not found at {DOCUMENT} (it sits beside the checkout)")
    return DOCUMENT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def notes_text() -> str:
    if not RESEARCH_NOTES.is_file():
        pytest.skip(f"research notes not found at {RESEARCH_NOTES} (they sit beside the checkout)")
    return RESEARCH_NOTES.read_text(encoding="utf-8")


def document_blocks(text: str) -> list[Block]:
    """Body paragraphs of the document: blank-line separated blocks; a block without a final
    full stop is a heading (the first one, with a '|', is the page title)."""
    blocks: list[Block] = []
    section, in_section, overall = "", 0, 0
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        chunk = m.group(0).strip()
        if not chunk.endswith("."):
            if "|" not in chunk:
                section, in_section = chunk, 0
            continue
        in_section += 1
        overall += 1
        blocks.append(Block(section, in_section, overall, m.start(), m.end()))
    return blocks


def note_blocks(text: str) -> list[Block]:
    """Bullets (and sub-bullets) of the red-flag section of the research notes, numbered 1..n;
    each block starts at its dash."""
    heading = f"## {kb.PASSAGES['notes.8.dvt'].section}"
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    blocks = []
    for n, m in enumerate(re.finditer(r"^ *(- [^\n]+)$", text[start:end], re.M), start=1):
        s = start + m.start(1)
        blocks.append(Block(heading[3:], n, n, s, start + m.end(1)))
    return blocks


def all_sources() -> list[tuple[str, tuple[kb.SourcePassage, ...], tuple[str, ...]]]:
    out = [(c.id, (c.source, *c.more_sources), c.keywords) for c in kb.CAUSES]
    out += [(r.id, (r.source, *r.more_sources), r.keywords) for r in kb.RED_FLAGS]
    return out


def test_document_is_the_version_the_offsets_were_measured_on(document_text: str) -> None:
    digest = hashlib.sha256(DOCUMENT.read_bytes()).hexdigest()
    assert digest == kb.DOCUMENT_SHA256, (
        "the calf-pain document changed; re-measure the offsets in posture/knowledge.py"
    )


def test_document_parser_finds_both_sections(document_text: str) -> None:
    blocks = document_blocks(document_text)
    sections = {b.section for b in blocks}
    assert sections == {"Causes of bilateral calf pain", "Causes of unilateral calf pain"}
    assert len(blocks) == 11


@pytest.mark.parametrize("passage", list(kb.PASSAGES.values()), ids=list(kb.PASSAGES))
def test_passage_points_at_whole_sentences_in_the_named_paragraph(
    passage: kb.SourcePassage, document_text: str, notes_text: str
) -> None:
    if passage.origin == "calf_pain_document":
        text, blocks = document_text, document_blocks(document_text)
    else:
        text, blocks = notes_text, note_blocks(notes_text)
    block = next(
        (b for b in blocks if b.section == passage.section and b.paragraph == passage.paragraph),
        None,
    )
    assert block is not None, f"no paragraph {passage.paragraph} in '{passage.section}'"
    assert block.document_paragraph == passage.document_paragraph
    assert block.start <= passage.start < passage.end <= block.end
    span = text[passage.start : passage.end]
    assert span.startswith(passage.quote_start)
    assert len(passage.quote_start.split()) <= 5  # a pointer, not a quotation
    # Begins at the paragraph start or right after a sentence; ends at a sentence end.
    assert passage.start == block.start or text[passage.start - 1] in " ."
    assert span.rstrip().endswith((".", "]"))


@pytest.mark.parametrize(
    ("entry", "sources", "keywords"), all_sources(), ids=[e for e, _, _ in all_sources()]
)
def test_references_talk_about_what_the_entry_says(
    entry: str,
    sources: tuple[kb.SourcePassage, ...],
    keywords: tuple[str, ...],
    document_text: str,
    notes_text: str,
) -> None:
    assert keywords, f"{entry} lists no keywords"
    spans = [
        (document_text if s.origin == "calf_pain_document" else notes_text)[s.start : s.end].lower()
        for s in sources
    ]
    for word in keywords:
        assert any(word.lower() in span for span in spans), f"{entry}: '{word}' not in its sources"
    for source, span in zip(sources, spans, strict=True):
        assert any(w.lower() in span for w in keywords), (
            f"{entry}: {source.passage_id} mentions none of {keywords}"
        )


def test_passage_label_names_paragraph_and_section() -> None:
    label = kb.PASSAGES["bilateral.p2"].label()
    assert "paragraph 2" in label and "'Causes of bilateral calf pain'" in label
    notes_label = kb.PASSAGES["notes.8.dvt"].label()
    assert "research notes" in notes_label and "not in the calf-pain document" in notes_label


def test_source_to_dict_carries_file_and_offsets() -> None:
    d = kb.PASSAGES["unilateral.p1.weight_shift"].to_dict()
    assert d["file"] == kb.DOCUMENT_FILE
    assert (d["paragraph"], d["document_paragraph"]) == (1, 6)
    assert d["start"] < d["end"]


# --------------------------------------------------------------------------------------------
# Wording: own words, and never a diagnosis


def _strings(obj: object) -> Iterator[str]:
    """Every text in the knowledge base except source references (headings and the short
    quote_start pointers are deliberate references to the document)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, kb.SourcePassage):
        return
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _strings(getattr(obj, f.name))
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from _strings(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _strings(item)


def _sample_outputs() -> list[str]:
    """Texts produced by `explain` for a spread of inputs (they join knowledge-base pieces)."""
    everything = Symptoms(**{name: True for name in SYMPTOM_FIELDS if _is_bool_field(name)})
    cases = [
        ([F(i, side="left") for i in FINDING_IDS], everything),
        ([F(i, side="right") for i in FINDING_IDS], Symptoms(painful_side="left")),
        ([F(i, side="left") for i in FINDING_IDS], Symptoms(painful_side="left")),
        ([F("hollow_back", "not_assessable")], Symptoms(painful_side="both")),
        ([], Symptoms(pain_character="burning", soft_footbeds=False, heavy_lifting=True)),
        ([], Symptoms(pain_character="stabbing", soft_footbeds=True, monotonous_training=True)),
        ([F(i, "uncertain", side="left") for i in FINDING_IDS], everything),
        ([F("hollow_back"), F("knee_hyperextension", "uncertain"), F("bent_knee", "uncertain")],
         Symptoms(long_sitting_bent_knees=True, painful_side="both")),
    ]
    texts: list[str] = []
    for findings, symptoms in cases:
        exps, flags = explain(findings, symptoms)
        texts += [e.text for e in exps] + [f.message for f in flags]
        texts += combined_advice(exps, flags)
    texts += combined_advice([], [])
    return texts


def _is_bool_field(name: str) -> bool:
    return name not in {"painful_side", "pain_character", "sports", "footwear"}


ALL_TEXTS = [
    *_strings((kb.CAUSES, kb.RED_FLAGS, kb.QUESTIONS, kb.URGENCY_LABELS, DISCLAIMER)),
    *_sample_outputs(),
]


SECTION_HEADINGS = {p.section for p in kb.PASSAGES.values()}


def _words(text: str) -> list[str]:
    """Lower-case words; section headings are removed first, since naming the section a
    reference points to is citing, not copying."""
    for heading in SECTION_HEADINGS:
        text = text.replace(heading, " ")
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_texts_are_well_formed() -> None:
    for text in ALL_TEXTS:
        assert "  " not in text and not re.search(r"[a-z][.;:,][A-Za-z]", text), text
        assert text == text.strip()


def test_texts_are_collected() -> None:
    assert len(ALL_TEXTS) > 100
    assert DISCLAIMER in ALL_TEXTS


def test_no_text_repeats_a_run_of_the_documents_words(document_text: str) -> None:
    source = _ngrams(_words(document_text), MAX_SHARED_WORDS)
    copied = {
        " ".join(g): text[:60]
        for text in ALL_TEXTS
        for g in _ngrams(_words(text), MAX_SHARED_WORDS)
        if g in source
    }
    assert not copied, f"runs of {MAX_SHARED_WORDS}+ words copied from the document: {copied}"


def test_no_text_repeats_a_run_of_the_research_notes_words(notes_text: str) -> None:
    source = _ngrams(_words(notes_text), MAX_SHARED_WORDS)
    copied = {
        " ".join(g)
        for text in ALL_TEXTS
        for g in _ngrams(_words(text), MAX_SHARED_WORDS)
        if g in source
    }
    assert not copied


def test_ngram_check_would_catch_a_copied_sentence(document_text: str) -> None:
    copied = "Calf trouble: " + document_text[1235:1300]
    source = _ngrams(_words(document_text), MAX_SHARED_WORDS)
    assert _ngrams(_words(copied), MAX_SHARED_WORDS) & source


DIAGNOSTIC_PHRASES = [
    r"\byou have\b",
    r"\byou've got\b",
    r"\byou are suffering\b",
    r"\byou suffer\b",
    r"\bdiagnos",  # allowed only as "not a diagnosis", removed before the scan
    r"\bconfirm",
    r"\bproves?\b",
    r"\bdefinitely\b",
    r"\bcertainly\b",
    r"\bis caused by\b",
    r"\byour (condition|disease|illness)\b",
    r"\bthis is (a |an )?(thrombosis|compartment syndrome|pavk|paod)\b",
]


def diagnostic_phrases_in(text: str) -> list[str]:
    cleaned = text.lower().replace("not a diagnosis", "")
    return [p for p in DIAGNOSTIC_PHRASES if re.search(p, cleaned)]


def test_scanner_flags_diagnostic_wording() -> None:
    assert diagnostic_phrases_in("You have a hollow back.")
    assert diagnostic_phrases_in("The camera confirms a thrombosis.")
    assert diagnostic_phrases_in("Diagnosis: compartment syndrome")
    assert not diagnostic_phrases_in("This is a screening aid, not a diagnosis.")


@pytest.mark.parametrize("text", ALL_TEXTS, ids=lambda t: t[:40])
def test_no_text_sounds_like_a_diagnosis(text: str) -> None:
    assert not diagnostic_phrases_in(text)


def test_disclaimer_says_screening_not_diagnosis_one_camera_and_professional() -> None:
    lowered = DISCLAIMER.lower()
    assert "screening aid" in lowered and "not a diagnosis" in lowered
    assert "single camera" in lowered
    assert "doctor" in lowered and "physiotherapist" in lowered


def test_explanations_speak_of_possibility_and_say_when_to_see_someone() -> None:
    for cause in kb.CAUSES:
        assert re.search(r"\b(may|can|might)\b", cause.meaning), cause.id
        assert "doctor" in cause.advice or "physiotherapist" in cause.advice, cause.id


# --------------------------------------------------------------------------------------------
# The knowledge base is consistent with the engine


def test_knowledge_refers_only_to_known_findings_and_symptom_fields() -> None:
    for cause in kb.CAUSES:
        assert {r.finding_id for r in cause.findings} <= set(FINDING_IDS), cause.id
        assert {s.symptom for s in cause.symptoms} <= SYMPTOM_FIELDS, cause.id
        if any(isinstance(s.value, kb.SideRule) for s in cause.symptoms):
            assert cause.side_finding in {r.finding_id for r in cause.findings}
    for rule in kb.RED_FLAGS:
        fields = {name for alt in rule.when_any for name, _ in alt} | {n for n, _ in rule.context}
        assert fields <= SYMPTOM_FIELDS, rule.id
        assert rule.urgency in kb.URGENCY_ORDER


def test_every_finding_has_a_cause_and_camera_blind_causes_need_answers() -> None:
    covered = {r.finding_id for c in kb.CAUSES if c.camera_visible for r in c.findings}
    assert covered == set(FINDING_IDS)
    for cause in kb.CAUSES:
        if not cause.camera_visible:
            assert any(s.brings_in for s in cause.symptoms), cause.id


def test_every_symptom_field_has_one_question_and_red_flag_questions_come_first() -> None:
    assert set(kb.QUESTIONS) == SYMPTOM_FIELDS
    asked = symptom_questions()
    assert sorted(q.field for q in asked) == sorted(SYMPTOM_FIELDS)
    urgent = red_flag_questions()
    assert asked[: len(urgent)] == urgent
    used = {name for rule in kb.RED_FLAGS for alt in rule.when_any for name, _ in alt}
    context = {name for rule in kb.RED_FLAGS for name, _ in rule.context}
    assert {q.field for q in urgent} == used | context
    assert "recent_immobilisation_or_surgery" in context
    assert urgent[0].field == "breathless_or_chest_pain"  # the only emergency on one answer


def test_questions_offer_the_choices_symptoms_accept() -> None:
    for q in kb.QUESTIONS.values():
        for choice in q.choices:
            Symptoms.from_dict({q.field: choice})  # must not raise


# --------------------------------------------------------------------------------------------
# Mapping findings and answers to causes


def test_nothing_in_nothing_out() -> None:
    assert explain([], None) == ([], [])
    assert explain([], Symptoms()) == ([], [])


@pytest.mark.parametrize(
    "finding", ["hollow_back", "knee_hyperextension", "reduced_trunk_pelvis_motion"]
)
def test_each_part_of_the_hollow_back_pattern_brings_it_in(finding: str) -> None:
    exps, flags = explain([F(finding)], None)
    assert ids(exps) == ["hollow_back_pattern"]
    assert exps[0].relevance == "matches_findings"
    assert exps[0].based_on_findings == (finding,)
    assert exps[0].source.section == "Causes of bilateral calf pain"
    assert exps[0].source.paragraph == 1
    assert [s.paragraph for s in exps[0].more_sources] == [2]
    assert flags == []


def test_hollow_back_with_knees_pushed_back_strengthens_the_pattern() -> None:
    alone = explain([F("hollow_back")], None)[0][0]
    both = explain([F("hollow_back"), F("knee_hyperextension")], None)[0][0]
    assert both.score > alone.score
    assert both.based_on_findings == ("hollow_back", "knee_hyperextension")
    assert "measured together" in both.text and "measured together" not in alone.text


def test_both_sides_and_front_thigh_pain_raise_the_hollow_back_pattern() -> None:
    plain = explain([F("hollow_back")], Symptoms())[0][0]
    sided = explain([F("hollow_back")], Symptoms(painful_side="both"))[0][0]
    more = explain(
        [F("hollow_back")],
        Symptoms(painful_side="both", front_thigh_knee_or_low_back_pain=True),
    )[0][0]
    assert plain.score < sided.score < more.score
    assert more.based_on_symptoms == ("painful_side=both", "front_thigh_knee_or_low_back_pain")
    one_side = explain([F("hollow_back")], Symptoms(painful_side="left"))[0][0]
    assert one_side.score == plain.score


def test_bent_knee_brings_in_the_habit_and_thigh_pain_raises_it() -> None:
    exps, _ = explain([F("bent_knee")], None)
    assert ids(exps) == ["bent_knee_habit"]
    assert exps[0].source.paragraph == 4
    with_pain = explain([F("bent_knee")], Symptoms(thigh_back_pain=True))[0]
    assert by_id(with_pain, "bent_knee_habit").score > exps[0].score


def test_long_sitting_is_brought_in_by_the_answer_only() -> None:
    exps, _ = explain([], Symptoms(long_sitting_bent_knees=True))
    assert ids(exps) == ["sitting_with_bent_knees"]
    assert exps[0].relevance == "matches_symptoms"
    assert exps[0].source.paragraph == 3
    assert "cannot see" in exps[0].text
    # the camera finding supports it but cannot bring it in on its own
    assert "sitting_with_bent_knees" not in ids(explain([F("bent_knee")], None)[0])
    both = explain([F("bent_knee")], Symptoms(long_sitting_bent_knees=True, thigh_back_pain=True))
    sitting = by_id(both[0], "sitting_with_bent_knees")
    assert sitting.based_on_findings == ("bent_knee",)
    assert sitting.relevance == "matches_findings"
    assert sitting.score > exps[0].score


@pytest.mark.parametrize(
    "answer", ["cycling_without_foot_movement", "heavy_lifting", "monotonous_training"]
)
def test_each_training_trigger_brings_in_training_load(answer: str) -> None:
    exps, flags = explain([], Symptoms(**{answer: True}))
    assert ids(exps) == ["training_load"]
    assert exps[0].based_on_symptoms == (answer,)
    assert exps[0].source.paragraph == 5
    assert "footbed" in exps[0].advice
    assert flags == []


def test_footbed_answer_adds_a_note_but_no_weight_and_cannot_bring_training_in() -> None:
    assert explain([], Symptoms(soft_footbeds=False)) == ([], [])
    plain = explain([], Symptoms(heavy_lifting=True))[0][0]
    noted = explain([], Symptoms(heavy_lifting=True, soft_footbeds=False))[0][0]
    assert noted.score == plain.score
    assert "lack soft footbeds" in noted.text and "lack soft footbeds" not in plain.text
    assert noted.based_on_symptoms == ("heavy_lifting",)


def test_weight_shift_names_the_loaded_leg_and_points_to_the_unilateral_section() -> None:
    exp = explain([F("weight_shift", severity="mild", side="right")], None)[0][0]
    assert exp.id == "weight_shift_habit"
    assert "right leg (mild)" in exp.text
    assert exp.source.section == "Causes of unilateral calf pain"
    assert exp.source.paragraph == 1


def test_pain_on_the_loaded_leg_ranks_above_pain_on_the_other_leg() -> None:
    finding = [F("weight_shift", side="left")]
    same = explain(finding, Symptoms(painful_side="left"))[0][0]
    other = explain(finding, Symptoms(painful_side="right"))[0][0]
    unanswered = explain(finding, Symptoms())[0][0]
    assert same.score > other.score > unanswered.score
    assert same.based_on_symptoms == ("painful_side=left",)
    assert "same leg that appeared to carry more weight" in same.text
    # pain on the unloaded leg: the relieving-posture reading
    assert "sparing the other one" in other.text and "right calf" in other.text
    assert "sparing the other one" not in same.text


def test_pain_in_both_calves_does_not_raise_weight_shift() -> None:
    finding = [F("weight_shift", side="left")]
    both = explain(finding, Symptoms(painful_side="both"))[0][0]
    assert both.score == explain(finding, None)[0][0].score
    assert both.based_on_symptoms == ()
    assert "mainly with pain on one side" in both.text


def test_weight_shift_without_a_side_cannot_match_a_painful_side() -> None:
    exp = explain([F("weight_shift", side=None)], Symptoms(painful_side="left"))[0][0]
    assert exp.based_on_symptoms == ()
    assert "one leg" in exp.text


@pytest.mark.parametrize(
    "answers",
    [{"pain_character": "burning"}, {"pain_diffuse": True}, {"restless_legs": True}],
)
def test_connective_tissue_is_brought_in_by_burning_diffuse_or_restless(answers: dict) -> None:
    exps, _ = explain([], Symptoms(**answers))
    assert ids(exps) == ["connective_tissue_fascia"]
    assert exps[0].source.section == "Causes of unilateral calf pain"
    assert exps[0].source.document_paragraph == 6
    assert [s.document_paragraph for s in exps[0].more_sources] == [7, 8]


@pytest.mark.parametrize(
    "answers",
    [{"pain_at_rest": True}, {"tingling_or_numbness": True}, {"pain_character": "dull"}],
)
def test_rest_pain_or_tingling_alone_do_not_bring_in_connective_tissue(answers: dict) -> None:
    assert "connective_tissue_fascia" not in ids(explain([], Symptoms(**answers))[0])


def test_rest_pain_and_tingling_raise_connective_tissue() -> None:
    base = explain([], Symptoms(pain_character="burning"))[0][0]
    more = explain([], Symptoms(pain_character="burning", pain_at_rest=True))[0][0]
    most = explain(
        [], Symptoms(pain_character="burning", pain_at_rest=True, tingling_or_numbness=True)
    )[0][0]
    assert base.score < more.score < most.score


@pytest.mark.parametrize("status", ["not_detected", "not_assessable", "whatever"])
def test_only_detected_findings_count(status: str) -> None:
    exps, _ = explain([F(i, status=status) for i in FINDING_IDS], None)
    assert exps == []


def test_unassessable_pattern_with_fitting_answers_is_background_only() -> None:
    exps, _ = explain(
        [F("hollow_back", "not_assessable"), F("knee_hyperextension", "not_assessable")],
        Symptoms(painful_side="both"),
    )
    assert ids(exps) == ["hollow_back_pattern"]
    assert exps[0].relevance == "background"
    assert exps[0].score < 1.0
    assert "could not check" in exps[0].text and "side view" in exps[0].text
    # assessed and not found: the answers alone do not bring it back
    assessed, _ = explain([F("hollow_back", "not_detected")], Symptoms(painful_side="both"))
    assert assessed == []
    # unassessable but no fitting answer: nothing
    assert explain([F("hollow_back", "not_assessable")], Symptoms())[0] == []


# --------------------------------------------------------------------------------------------
# Uncertain findings: hedged, and never ranked before a clear finding


TIERS = {  # relevance -> [lowest score, highest score)
    "matches_findings": (2.0, 3.0),
    "matches_symptoms": (1.0, 2.0),
    "uncertain_findings": (0.5, 1.0),
    "background": (0.0, 0.5),
}


def test_a_cause_resting_on_an_uncertain_finding_alone_is_hedged() -> None:
    exps, _ = explain([F("bent_knee", "uncertain", "marked")], None)
    [exp] = exps
    assert exp.id == "bent_knee_habit"
    assert exp.relevance == "uncertain_findings"
    assert exp.based_on_findings == ()
    assert exp.based_on_uncertain_findings == ("bent_knee",)
    assert exp.text.startswith("The camera possibly saw knees that stay bent")
    assert "may not apply" in exp.text and "worth checking by eye" in exp.text
    assert "measured" not in exp.text.split(".")[0].replace("measurement", "")
    assert "(marked)" not in exp.text  # no severity stated for a reading that may be wrong
    assert TIERS["uncertain_findings"][0] <= exp.score < TIERS["uncertain_findings"][1]
    assert exp.to_dict()["based_on_uncertain_findings"] == ["bent_knee"]
    assert exp.to_dict()["based_on_findings"] == []


def test_uncertain_causes_come_after_clear_findings_and_answers() -> None:
    exps, flags = explain(
        [F("hollow_back", "uncertain", "marked"), F("knee_hyperextension", "uncertain", "marked"),
         F("bent_knee", "detected", "mild")],
        Symptoms(heavy_lifting=True, swelling_one_leg=True),
    )
    assert [(e.id, e.relevance) for e in exps] == [
        ("bent_knee_habit", "matches_findings"),
        ("training_load", "matches_symptoms"),
        ("hollow_back_pattern", "uncertain_findings"),
    ]
    lines = combined_advice(exps, flags)
    assert lines[0].startswith(kb.URGENCY_LABELS[flags[0].urgency])  # red flags stay first
    [hedged] = [line for line in lines if line.startswith(kb.CAUSES[0].title)]
    assert "(uncertain finding, worth checking by eye)" in hedged
    assert lines.index(hedged) > max(
        i for i, line in enumerate(lines) if line.startswith(("Knees kept bent", "Training"))
    )


def test_an_uncertain_finding_beside_a_detected_one_is_named_with_its_hedge() -> None:
    alone = explain([F("hollow_back")], None)[0][0]
    mixed = explain([F("hollow_back"), F("knee_hyperextension", "uncertain")], None)[0][0]
    both = explain([F("hollow_back"), F("knee_hyperextension")], None)[0][0]
    assert mixed.relevance == "matches_findings"
    assert mixed.based_on_findings == ("hollow_back",)
    assert mixed.based_on_uncertain_findings == ("knee_hyperextension",)
    assert alone.score < mixed.score < both.score  # half the weight of a detected one
    assert "It may also have seen knees pushed back beyond straight" in mixed.text
    assert "uncertain and worth checking by eye" in mixed.text
    assert "measured together" not in mixed.text  # only one finding is clear


def test_an_uncertain_finding_supports_but_cannot_bring_in_a_cause_the_camera_cannot_see(
) -> None:
    assert "sitting_with_bent_knees" not in ids(explain([F("bent_knee", "uncertain")], None)[0])
    answers = Symptoms(long_sitting_bent_knees=True)
    plain = by_id(explain([], answers)[0], "sitting_with_bent_knees")
    supported = by_id(explain([F("bent_knee", "uncertain")], answers)[0],
                      "sitting_with_bent_knees")
    assert supported.relevance == "matches_symptoms"  # not "matches_findings"
    assert supported.score > plain.score
    assert "The camera may also have seen knees that stay bent" in supported.text
    assert "The camera also saw" not in supported.text  # the detected finding's note


def test_detected_anywhere_wins_over_uncertain_and_uncertain_over_unassessable() -> None:
    # A session has several recordings: the same check may come out differently in each.
    [exp] = explain([F("bent_knee", "uncertain"), F("bent_knee", "detected")], None)[0]
    assert exp.relevance == "matches_findings" and exp.based_on_uncertain_findings == ()
    [exp] = explain([F("hollow_back", "not_assessable"), F("hollow_back", "uncertain")],
                    Symptoms(painful_side="both"))[0]
    assert exp.relevance == "uncertain_findings"
    assert "could not check" not in exp.text


def test_unknown_findings_are_ignored() -> None:
    exps, _ = explain([F("ankle_wobble"), F("bent_knee")], None)
    assert ids(exps) == ["bent_knee_habit"]


def test_more_severe_finding_scores_higher_and_repeated_ids_keep_the_worst() -> None:
    mild = explain([F("bent_knee", severity="mild")], None)[0][0]
    marked = explain([F("bent_knee", severity="marked")], None)[0][0]
    assert marked.score > mild.score
    repeated = explain([F("bent_knee", severity="mild"), F("bent_knee", severity="marked")], None)[
        0
    ][0]
    assert repeated.score == marked.score
    assert "(marked)" in repeated.text


def test_detected_findings_rank_above_causes_brought_in_by_answers() -> None:
    many_answers = Symptoms(
        cycling_without_foot_movement=True,
        heavy_lifting=True,
        monotonous_training=True,
        pain_character="burning",
        pain_diffuse=True,
        restless_legs=True,
        pain_at_rest=True,
        tingling_or_numbness=True,
    )
    exps, _ = explain([F("weight_shift", severity="mild", side="left")], many_answers)
    assert exps[0].id == "weight_shift_habit"
    assert [e.relevance for e in exps] == [
        "matches_findings",
        "matches_symptoms",
        "matches_symptoms",
    ]
    scores = [e.score for e in exps]
    assert scores == sorted(scores, reverse=True)
    assert exps[0].score >= 2.0 > exps[1].score >= 1.0


def test_more_findings_in_a_pattern_outrank_a_single_finding() -> None:
    exps, _ = explain(
        [
            F("bent_knee", severity="moderate"),
            F("hollow_back", severity="moderate"),
            F("reduced_trunk_pelvis_motion", severity="moderate"),
        ],
        None,
    )
    assert ids(exps) == ["hollow_back_pattern", "bent_knee_habit"]


def test_explanation_to_dict_is_plain_data() -> None:
    exp = explain([F("hollow_back")], Symptoms(painful_side="both"))[0][0]
    d = exp.to_dict()
    assert d["id"] == "hollow_back_pattern"
    assert d["based_on_symptoms"] == ["painful_side=both"]
    assert d["source"]["section"] == "Causes of bilateral calf pain"
    assert isinstance(d["score"], float)


# --------------------------------------------------------------------------------------------
# Red flags


@pytest.mark.parametrize(
    ("answers", "flag_id", "urgency"),
    [
        ({"breathless_or_chest_pain": True}, "breathless_or_chest_pain", "emergency"),
        ({"foot_cold_pale": True, "sudden_onset": True}, "acute_limb_ischaemia", "emergency"),
        (
            {"foot_cold_pale": True, "tingling_or_numbness": True},
            "acute_limb_ischaemia",
            "emergency",
        ),
        (
            {"leg_weak_or_paralysed": True, "sudden_onset": True},
            "acute_limb_ischaemia",
            "emergency",
        ),
        ({"foot_cold_pale": True}, "cold_pale_foot_or_weak_leg", "same_day"),
        (
            {"hardened_calf": True, "after_trauma": True, "severe_pain": True},
            "compartment_syndrome_urgent",
            "emergency",
        ),
        (
            {"hardened_calf": True, "after_hard_training": True, "tingling_or_numbness": True},
            "compartment_syndrome_urgent",
            "emergency",
        ),
        (
            {"hardened_calf": True, "after_trauma": True},
            "compartment_syndrome_possible",
            "same_day",
        ),
        (
            {"hardened_calf": True, "after_hard_training": True},
            "compartment_syndrome_possible",
            "same_day",
        ),
        ({"swelling_one_leg": True}, "deep_vein_thrombosis_signs", "same_day"),
        ({"calf_warm_red": True}, "deep_vein_thrombosis_signs", "same_day"),
        ({"sudden_onset": True}, "sudden_onset", "same_day"),
        ({"severe_pain": True}, "severe_or_stabbing_pain", "same_day"),
        ({"pain_character": "stabbing"}, "severe_or_stabbing_pain", "same_day"),
        (
            {"pain_on_exertion_relieved_by_rest": True},
            "pain_on_exertion_relieved_by_rest",
            "soon",
        ),
        ({"pain_character": "burning", "pain_at_rest": True}, "burning_pain_at_rest", "routine"),
        (
            {"pain_character": "burning", "tingling_or_numbness": True},
            "burning_pain_at_rest",
            "routine",
        ),
    ],
)
def test_each_red_flag_is_raised_by_its_answers(answers: dict, flag_id: str, urgency: str) -> None:
    _, flags = explain([], Symptoms(**answers))
    flag = next((f for f in flags if f.id == flag_id), None)
    assert flag is not None, [f.id for f in flags]
    assert flag.urgency == urgency
    assert flags[0].urgency == urgency  # it is the most urgent one raised
    assert set(flag.triggered_by) <= {k if v is True else f"{k}={v}" for k, v in answers.items()}
    assert flag.triggered_by


@pytest.mark.parametrize(
    "answers",
    [
        {"hardened_calf": True},  # hard calf alone: no trigger
        {"after_trauma": True},
        {"after_hard_training": True},
        {"recent_immobilisation_or_surgery": True},  # context only
        {"tingling_or_numbness": True},
        {"pain_at_rest": True},
        {"pain_character": "burning"},
        {"pain_character": "cramping", "severe_pain": False, "sudden_onset": False},
        {"breathless_or_chest_pain": False, "foot_cold_pale": False, "swelling_one_leg": False},
    ],
)
def test_harmless_or_incomplete_answers_raise_no_red_flag(answers: dict) -> None:
    assert explain([], Symptoms(**answers))[1] == []


def test_urgent_compartment_flag_replaces_the_milder_one() -> None:
    _, flags = explain(
        [], Symptoms(hardened_calf=True, after_trauma=True, tingling_or_numbness=True)
    )
    flag_ids = [f.id for f in flags]
    assert "compartment_syndrome_urgent" in flag_ids
    assert "compartment_syndrome_possible" not in flag_ids


def test_dvt_flag_names_recent_immobilisation_as_context() -> None:
    _, flags = explain([], Symptoms(swelling_one_leg=True, recent_immobilisation_or_surgery=True))
    assert flags[0].id == "deep_vein_thrombosis_signs"
    assert flags[0].triggered_by == ("swelling_one_leg", "recent_immobilisation_or_surgery")


def test_red_flags_are_sorted_most_urgent_first() -> None:
    _, flags = explain(
        [],
        Symptoms(
            pain_character="burning",
            pain_at_rest=True,
            pain_on_exertion_relieved_by_rest=True,
            sudden_onset=True,
            breathless_or_chest_pain=True,
        ),
    )
    assert [f.urgency for f in flags] == ["emergency", "same_day", "soon", "routine"]
    assert flags[0].id == "breathless_or_chest_pain"


@pytest.mark.parametrize("rule", kb.RED_FLAGS, ids=lambda r: r.id)
def test_every_red_flag_message_says_what_to_do_and_how_soon(rule: kb.RedFlagRule) -> None:
    msg = rule.message.lower()
    expected = {
        "emergency": "emergency number now",
        "same_day": "see a doctor today",
        "soon": "within the next few days",
        "routine": "not an emergency",
    }[rule.urgency]
    assert expected in msg
    assert "doctor" in msg or "emergency" in msg


def test_flags_from_the_research_notes_are_marked_as_such() -> None:
    notes_only = {r.id for r in kb.RED_FLAGS if r.source.origin == "research_notes"}
    assert {
        "breathless_or_chest_pain",
        "acute_limb_ischaemia",
        "deep_vein_thrombosis_signs",
        "pain_on_exertion_relieved_by_rest",
    } <= notes_only
    _, flags = explain([], Symptoms(breathless_or_chest_pain=True))
    assert "not in the calf-pain document" in flags[0].source.label()
    document_based = {r.id for r in kb.RED_FLAGS if r.source.origin == "calf_pain_document"}
    assert {"sudden_onset", "severe_or_stabbing_pain", "compartment_syndrome_possible"} <= (
        document_based
    )


def test_red_flag_to_dict_has_urgency_label_and_source() -> None:
    _, flags = explain([], Symptoms(sudden_onset=True))
    d = flags[0].to_dict()
    assert d["urgency"] == "same_day" and d["urgency_label"] == "See a doctor today"
    assert d["triggered_by"] == ["sudden_onset"]
    assert d["source"]["paragraph"] == 4


# --------------------------------------------------------------------------------------------
# Combined advice: red flags always first


def test_combined_advice_puts_red_flags_first_even_if_given_unsorted() -> None:
    exps, flags = explain(
        [F("hollow_back"), F("weight_shift", side="left")],
        Symptoms(pain_on_exertion_relieved_by_rest=True, breathless_or_chest_pain=True),
    )
    lines = combined_advice(exps, list(reversed(flags)))
    assert lines[0].startswith(kb.URGENCY_LABELS["emergency"])
    assert lines[1].startswith(kb.URGENCY_LABELS["soon"])
    assert "urgent point above first" in lines[2]
    cause_lines = [i for i, line in enumerate(lines) for e in exps if line.startswith(e.title)]
    assert min(cause_lines) > 2
    assert lines[-1] == DISCLAIMER


def test_combined_advice_without_urgent_flags_has_no_urgent_note() -> None:
    exps, flags = explain([F("bent_knee")], Symptoms(pain_on_exertion_relieved_by_rest=True))
    lines = combined_advice(exps, flags)
    assert not any("urgent point" in line for line in lines)
    assert lines[0].startswith(kb.URGENCY_LABELS["soon"])
    assert lines[1].startswith("Knees kept bent")


def test_combined_advice_when_nothing_applies() -> None:
    lines = combined_advice([], [])
    assert len(lines) == 2 and lines[-1] == DISCLAIMER
    assert "Nothing" in lines[0]


optional_bool = st.one_of(st.none(), st.booleans())
symptoms_strategy = st.builds(
    Symptoms,
    **{name: optional_bool for name in SYMPTOM_FIELDS if _is_bool_field(name)},
    painful_side=st.sampled_from([None, "left", "right", "both"]),
    pain_character=st.sampled_from([None, "dull", "tension", "burning", "stabbing", "cramping"]),
)
findings_strategy = st.lists(
    st.builds(
        F,
        id=st.sampled_from(FINDING_IDS),
        status=st.sampled_from(["detected", "uncertain", "not_detected", "not_assessable"]),
        severity=st.sampled_from(["none", "mild", "moderate", "marked"]),
        side=st.sampled_from([None, "left", "right", "both"]),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(findings=findings_strategy, symptoms=symptoms_strategy)
def test_any_input_gives_ordered_safe_output(findings: list[F], symptoms: Symptoms) -> None:
    exps, flags = explain(findings, symptoms)
    urgencies = [kb.URGENCY_ORDER.index(f.urgency) for f in flags]
    assert urgencies == sorted(urgencies)
    assert len({f.id for f in flags}) == len(flags)
    scores = [e.score for e in exps]
    assert scores == sorted(scores, reverse=True)
    detected = {f.id for f in findings if f.status == "detected"}
    uncertain = {f.id for f in findings if f.status == "uncertain"} - detected
    for e in exps:
        assert set(e.based_on_findings) <= detected
        assert set(e.based_on_uncertain_findings) <= uncertain
        low, high = TIERS[e.relevance]
        assert low <= e.score < high
        if e.relevance == "uncertain_findings":
            assert e.based_on_uncertain_findings and not e.based_on_findings
            assert "worth checking by eye" in e.text
        assert not diagnostic_phrases_in(e.text)
    lines = combined_advice(exps, flags)
    for flag, line in zip(flags, lines, strict=False):
        assert flag.title in line
    for flag in flags:
        assert isinstance(flag, RedFlag) and not diagnostic_phrases_in(flag.message)


# --------------------------------------------------------------------------------------------
# Symptoms input


def test_from_dict_reads_words_and_booleans() -> None:
    s = Symptoms.from_dict(
        {
            "painful_side": " Both ",
            "pain_character": "BURNING",
            "severe_pain": "no",
            "sudden_onset": True,
            "pain_at_rest": "Yes",
            "hardened_calf": "",
            "after_trauma": "unknown",
            "sports": "  running ",
            "footwear": "",
        }
    )
    assert s.painful_side == "both" and s.pain_character == "burning"
    assert (s.severe_pain, s.sudden_onset, s.pain_at_rest) == (False, True, True)
    assert s.hardened_calf is None and s.after_trauma is None
    assert s.sports == "running" and s.footwear is None


def test_to_dict_round_trips_and_answered_drops_blanks() -> None:
    s = Symptoms(painful_side="left", severe_pain=False, sports="cycling")
    d = s.to_dict()
    assert set(d) == SYMPTOM_FIELDS
    assert Symptoms.from_dict(d) == s
    assert s.answered() == {"painful_side": "left", "severe_pain": False, "sports": "cycling"}


def test_from_dict_rejects_an_unknown_key_and_names_it() -> None:
    with pytest.raises(InputError, match="'painfull_side'"):
        Symptoms.from_dict({"painfull_side": "left"})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("painful_side", "middle"),
        ("painful_side", 1),
        ("pain_character", "throbbing"),
        ("severe_pain", "maybe"),
        ("severe_pain", 1),
        ("severe_pain", 0.0),
        ("sudden_onset", ["yes"]),
        ("sports", 42),
        ("footwear", "x" * 201),
    ],
)
def test_from_dict_rejects_bad_values_naming_the_question(key: str, value: object) -> None:
    with pytest.raises(InputError, match=f"'{key}'"):
        Symptoms.from_dict({key: value})


def test_from_dict_rejects_something_that_is_not_a_mapping() -> None:
    with pytest.raises(InputError):
        Symptoms.from_dict(["painful_side", "left"])  # type: ignore[arg-type]


def test_direct_construction_is_checked_too() -> None:
    with pytest.raises(InputError, match="painful_side"):
        Symptoms(painful_side="Left")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="severe_pain"):
        Symptoms(severe_pain="yes")  # type: ignore[arg-type]


def test_docs_table_lists_every_cause_and_red_flag() -> None:
    docs = (PROJECT_ROOT / "docs" / "explanations.md").read_text(encoding="utf-8")
    for entry_id in [c.id for c in kb.CAUSES] + [r.id for r in kb.RED_FLAGS]:
        assert f"| `{entry_id}` |" in docs, entry_id
    for q in red_flag_questions():
        assert f"`{q.field}`" in docs


def test_docstring_examples_run() -> None:
    import doctest

    import posture.explanations
    import posture.knowledge

    for module in (posture.explanations, posture.knowledge):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
