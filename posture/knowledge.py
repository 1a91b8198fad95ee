"""The calf-pain knowledge base as plain data, written in the project's own words.

Nothing here is read from disk: the calf-pain document and the research notes live outside
the repository, so every reference to them is stored as a `SourcePassage` (section heading,
paragraph number and character offsets). `tests/test_explanations.py` opens the real files
when they are present and checks that each reference lands on a passage that talks about
what the entry says, and that no text here repeats a long run of the document's words.

Reading guide:
  * `PASSAGES`    -- where each statement comes from.
  * `CAUSES`      -- possible causes of calf pain, with the findings and answers that point to them.
  * `RED_FLAGS`   -- answers that mean "see a doctor", with how soon; listed most urgent first.
  * `QUESTIONS`   -- the plain question the app asks for each symptom field.

Wording rules (tested): say what was measured, what it MAY mean according to the source, and
when to see a doctor; never tell the user what they have.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

Urgency = Literal["emergency", "same_day", "soon", "routine"]
Origin = Literal["calf_pain_document", "research_notes"]

# Most urgent first; the order red flags are shown in.
URGENCY_ORDER: tuple[Urgency, ...] = ("emergency", "same_day", "soon", "routine")

URGENCY_LABELS: dict[str, str] = {
    "emergency": "Emergency - act now",
    "same_day": "See a doctor today",
    "soon": "See a doctor within the next few days",
    "routine": "Have it checked at a routine appointment",
}

# Identifies the exact document version the offsets below were measured on (UTF-8 file,
# offsets count Python characters, not bytes). The test names this if the file changes.
DOCUMENT_FILE = "calf-pain-document.txt"
DOCUMENT_SHA256 = "ce5a37f8655381b140bd798495c698fdcedc18e485549d610cba0b39f3fad03e"
RESEARCH_NOTES_FILE = "clinical.md"

DISCLAIMER = (
    "This is a screening aid, not a diagnosis. It looked at your posture with a single camera, "
    "which can miss or misjudge things, and it can only point to possible causes described in one "
    "information text about calf pain. Whatever it shows, see a doctor or physiotherapist about "
    "pain that lasts, gets worse or worries you."
)


@dataclass(frozen=True)
class SourcePassage:
    """Where a statement comes from, precise enough for the UI to show or highlight it.

    ``paragraph`` counts body paragraphs within ``section`` from 1 (headings are not
    paragraphs); ``document_paragraph`` counts them through the whole file (for the research
    notes it is the bullet number within the section). ``start``/``end`` are character offsets
    into the file, narrowing the reference to the sentences the entry rests on.

    >>> PASSAGES["bilateral.p1"].label()
    "paragraph 1 of 'Causes of bilateral calf pain' in the calf-pain document"
    """

    passage_id: str
    origin: Origin
    section: str
    paragraph: int
    document_paragraph: int
    start: int
    end: int
    quote_start: str  # the first few words of the span, so a reader can find it by eye

    def label(self) -> str:
        if self.origin == "calf_pain_document":
            return f"paragraph {self.paragraph} of '{self.section}' in the calf-pain document"
        return (
            f"point {self.paragraph} of '{self.section}' in the project's research notes, "
            "not in the calf-pain document"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "passage_id": self.passage_id,
            "origin": self.origin,
            "file": DOCUMENT_FILE if self.origin == "calf_pain_document" else RESEARCH_NOTES_FILE,
            "section": self.section,
            "paragraph": self.paragraph,
            "document_paragraph": self.document_paragraph,
            "start": self.start,
            "end": self.end,
            "quote_start": self.quote_start,
            "label": self.label(),
        }


_BILATERAL = "Causes of bilateral calf pain"
_UNILATERAL = "Causes of unilateral calf pain"
_RED_FLAGS = "8. Red flags in lower-leg/calf pain (the app should stop and refer)"


def _doc(pid: str, section: str, para: int, doc_para: int, start: int, end: int, quote: str):
    return SourcePassage(pid, "calf_pain_document", section, para, doc_para, start, end, quote)


def _notes(pid: str, point: int, start: int, end: int, quote: str) -> SourcePassage:
    return SourcePassage(pid, "research_notes", _RED_FLAGS, point, point, start, end, quote)


PASSAGES: dict[str, SourcePassage] = {
    p.passage_id: p
    for p in (
        _doc("bilateral.p1", _BILATERAL, 1, 1, 86, 369, "Especially in cases"),
        _doc("bilateral.p2", _BILATERAL, 2, 2, 371, 652, "During walking and running"),
        _doc("bilateral.p3", _BILATERAL, 3, 3, 654, 1004, "Pain in the lower"),
        _doc("bilateral.p4", _BILATERAL, 4, 4, 1006, 1233, "Many patients who suffer"),
        _doc("bilateral.p5", _BILATERAL, 5, 5, 1235, 1525, "For example, cycling"),
        # Paragraph 1 of the unilateral section covers two topics; each gets its own span.
        _doc("unilateral.p1.weight_shift", _UNILATERAL, 1, 6, 1559, 1911, "One-sided pain in"),
        _doc("unilateral.p1.burning", _UNILATERAL, 1, 6, 1912, 2047, "Burning pain in the"),
        _doc("unilateral.p2", _UNILATERAL, 2, 7, 2049, 2363, "Lower leg pain resulting"),
        _doc("unilateral.p3.fascia", _UNILATERAL, 3, 8, 2365, 2561, "Pain in the lower"),
        _doc("unilateral.p3.acute_pain", _UNILATERAL, 3, 8, 2562, 2770, "If acute, severe"),
        _doc("unilateral.p4.sudden_onset", _UNILATERAL, 4, 9, 2772, 3047, "The sudden onset"),
        _doc("unilateral.p4.compartment", _UNILATERAL, 4, 9, 3048, 3322, "In many cases, pain"),
        _doc("unilateral.p6.compartment", _UNILATERAL, 6, 11, 3569, 3978, "Direct causes for"),
        _notes("notes.8.dvt", 1, 9884, 10275, "- **Deep vein thrombosis"),
        _notes("notes.8.pulmonary_embolism", 2, 10278, 10371, "- Breathlessness, chest pain"),
        _notes("notes.8.compartment", 3, 10372, 10654, "- **Acute compartment syndrome:**"),
        _notes("notes.8.exertional", 4, 10657, 10791, "- The chronic exertional"),
        _notes("notes.8.arterial", 5, 10792, 11006, "- **Peripheral arterial disease:**"),
        _notes("notes.8.six_ps", 6, 11009, 11180, "- Acute limb ischaemia"),
    )
}


# --------------------------------------------------------------------------------------------
# Causes


class SideRule(Enum):
    """Compares the painful side the user reported with the side of a finding."""

    SAME = "same_as_finding"  # e.g. pain in the leg that carries more weight
    OPPOSITE = "opposite_to_finding"  # pain in the other leg


@dataclass(frozen=True)
class FindingRole:
    """A camera finding that points to a cause; ``weight`` is its share of the evidence."""

    finding_id: str
    weight: float
    phrase: str  # what the camera measured, in plain words; may use {side}
    note: str = ""  # added to the text when this finding supports a cause it cannot bring in


@dataclass(frozen=True)
class SymptomSignal:
    """An answer that fits a cause.

    ``value`` is the answer that counts (True/False, a choice, or a `SideRule`). ``weight``
    raises the score (0 = only adds the note). ``brings_in`` lets the answer alone put a cause
    the camera cannot see on the list. ``note`` may use {painful_side} and {finding_side}.
    """

    symptom: str
    value: bool | str | SideRule
    weight: float
    note: str
    brings_in: bool = False


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    camera_visible: bool  # True: needs a detected finding; False: needs an answer that brings it in
    findings: tuple[FindingRole, ...]
    symptoms: tuple[SymptomSignal, ...]
    meaning: str  # what it MAY mean according to the source
    advice: str  # what to do, and when to see someone
    source: SourcePassage
    more_sources: tuple[SourcePassage, ...] = ()
    keywords: tuple[str, ...] = ()  # words the referenced passages must contain (tested)
    combination_note: str = ""  # added when two or more findings of the cause were measured
    side_finding: str | None = None  # finding whose `side` the `SideRule` signals compare with
    needs_view: str = ""  # for "background": which recording would let the camera check it


_SEE_SOMEONE = (
    "If the calf pain lasts more than a few weeks, gets worse or keeps you from your usual "
    "activities, see a doctor or physiotherapist."
)

CAUSES: tuple[Cause, ...] = (
    Cause(
        id="hollow_back_pattern",
        title="Hollow back with the knees pushed back",
        camera_visible=True,
        findings=(
            FindingRole(
                "hollow_back", 1.0, "a hollow back, with the upper body leaning back over the hips"
            ),
            FindingRole("knee_hyperextension", 0.8, "knees pushed back beyond straight"),
            FindingRole(
                "reduced_trunk_pelvis_motion",
                0.6,
                "little movement of the pelvis and trunk while walking",
            ),
        ),
        symptoms=(
            SymptomSignal(
                "painful_side",
                "both",
                0.6,
                "You said both calves hurt, which is the side pattern the document connects with "
                "this posture.",
            ),
            SymptomSignal(
                "front_thigh_knee_or_low_back_pain",
                True,
                0.5,
                "You also noticed pain at the front of the thigh, at the knee or low in the back, "
                "which the document lists as a frequent companion of this posture.",
            ),
        ),
        meaning=(
            "The calf-pain document describes people who hold themselves very upright with the "
            "upper body tipped backwards and a hollow lower back, who usually also lock their "
            "knees backwards and barely move the pelvis and trunk when they walk or run. According "
            "to the document, this way of standing and moving may keep the calf muscles tense all "
            "the time, and that tension can make both calves ache. It adds that such people often "
            "feel pain at the front of the thighs, around the knees or in the lower back too."
        ),
        advice=(
            "Have a physiotherapist look at how you stand and walk. Watch whether you lock your "
            "knees backwards when standing, and let the pelvis and trunk swing naturally when "
            "walking. " + _SEE_SOMEONE
        ),
        source=PASSAGES["bilateral.p1"],
        more_sources=(PASSAGES["bilateral.p2"],),
        keywords=("hollow back", "knees", "pelvis", "tension"),
        combination_note=(
            "More than one part of this posture pattern was measured together, which makes the "
            "link described in the document more likely to apply."
        ),
        needs_view="a side view of you standing or walking",
    ),
    Cause(
        id="bent_knee_habit",
        title="Knees kept bent when standing or walking",
        camera_visible=True,
        findings=(FindingRole("bent_knee", 1.0, "knees that stay bent instead of straightening"),),
        symptoms=(
            SymptomSignal(
                "thigh_back_pain",
                True,
                0.4,
                "You mentioned pain at the back of the thigh; the document notes thigh pain in "
                "many people with this habit.",
            ),
            SymptomSignal(
                "front_thigh_knee_or_low_back_pain",
                True,
                0.3,
                "You mentioned pain at the front of the thigh, knee or lower back; the document "
                "notes thigh pain in many people with this habit.",
            ),
            SymptomSignal(
                "painful_side",
                "both",
                0.4,
                "You said both calves hurt; the document discusses this habit among causes of pain "
                "on both sides.",
            ),
        ),
        meaning=(
            "According to the document, many people with thigh pain are used to standing and "
            "walking with their knees never quite straight. This keeps the calf muscles working "
            "and tense, and in many cases that tension may end up as calf pain."
        ),
        advice=(
            "A physiotherapist can check whether stiffness or simply habit keeps your knees bent, "
            "and show you how to straighten them comfortably. " + _SEE_SOMEONE
        ),
        source=PASSAGES["bilateral.p4"],
        keywords=("bent knees", "calf", "tens"),
        needs_view="a side view of you standing or walking",
    ),
    Cause(
        id="sitting_with_bent_knees",
        title="Long sitting with the knees bent",
        camera_visible=False,
        findings=(
            FindingRole(
                "bent_knee",
                0.6,
                "knees that stay bent instead of straightening",
                note="The camera also saw knees that did not straighten fully, which fits this.",
            ),
        ),
        symptoms=(
            SymptomSignal(
                "long_sitting_bent_knees",
                True,
                1.0,
                "You said you often sit for long periods with your knees bent.",
                brings_in=True,
            ),
            SymptomSignal(
                "thigh_back_pain",
                True,
                0.5,
                "You also mentioned pain at the back of the thigh, which the document says often "
                "goes with this.",
            ),
        ),
        meaning=(
            "The document names frequent sitting with the knees strongly bent as a common trigger "
            "of calf pain. The bent position leaves the muscles tight, so the knees may not "
            "straighten properly when walking or running, and many of these people also feel pain "
            "at the back of the thighs. The camera cannot see how you sit; this comes up because "
            "of your answers."
        ),
        advice=(
            "Break up long periods of sitting: stand up, straighten your legs and walk a few steps "
            "regularly, and ask a physiotherapist about stretches for the back of the thigh and "
            "the calf. " + _SEE_SOMEONE
        ),
        source=PASSAGES["bilateral.p3"],
        keywords=("sitting", "bent knee", "back of the thighs"),
    ),
    Cause(
        id="training_load",
        title="Training that limits foot movement",
        camera_visible=False,
        findings=(),
        symptoms=(
            SymptomSignal(
                "cycling_without_foot_movement",
                True,
                1.0,
                "You said you cycle with little movement of the foot.",
                brings_in=True,
            ),
            SymptomSignal(
                "heavy_lifting",
                True,
                1.0,
                "You said you lift heavy weights.",
                brings_in=True,
            ),
            SymptomSignal(
                "monotonous_training",
                True,
                1.0,
                "You said your training is very repetitive.",
                brings_in=True,
            ),
            SymptomSignal(
                "soft_footbeds",
                False,
                0.0,
                "You said your shoes lack soft footbeds; the document suggests cushioned footbeds "
                "may help.",
            ),
            SymptomSignal(
                "soft_footbeds",
                True,
                0.0,
                "You said you already wear shoes with soft footbeds, which the document regards as "
                "helpful.",
            ),
        ),
        meaning=(
            "The document lists some training habits that often set off lower-leg pain: pedalling "
            "with a stiff, unmoving foot, lifting weights that are too heavy, and repeating the "
            "same muscle exercise over and over. In its words the trouble may start when such "
            "training keeps the foot from moving enough. The camera cannot see your training; this "
            "comes up because of your answers."
        ),
        advice=(
            "Vary your training, let the ankle move through its range (for example while "
            "pedalling), and increase weights gradually. The document mentions that footwear with "
            "a particularly cushioned footbed may help. " + _SEE_SOMEONE
        ),
        source=PASSAGES["bilateral.p5"],
        keywords=("cycling", "lifting weights", "monotonous", "footbeds"),
    ),
    Cause(
        id="weight_shift_habit",
        title="Body weight shifted onto one leg",
        camera_visible=True,
        findings=(
            FindingRole("weight_shift", 1.0, "more of your weight resting on the {side} leg"),
        ),
        symptoms=(
            SymptomSignal(
                "painful_side",
                SideRule.SAME,
                1.0,
                "You said the {painful_side} calf hurts, the same leg that appeared to carry more "
                "weight, which fits this.",
            ),
            SymptomSignal(
                "painful_side",
                SideRule.OPPOSITE,
                0.5,
                "You said the {painful_side} calf hurts while more weight rested on the "
                "{finding_side} leg. The document notes that leaning onto one leg can be a passing "
                "way of sparing the other one, so the painful leg may be the one being protected; "
                "have it checked.",
            ),
            SymptomSignal(
                "painful_side",
                "both",
                0.0,
                "You said both calves hurt; the document links weight shifting mainly with pain on "
                "one side.",
            ),
        ),
        meaning=(
            "The document says that pain in only one calf is seen more often in people who let one "
            "leg carry most of their weight while standing. Sometimes this is just a short-term "
            "way of sparing an injury of the opposite leg; for many people, though, it is a habit, "
            "and kept up for years it may cause calf pain and strain the back as well."
        ),
        advice=(
            "Notice whether you tend to stand on one leg, and try to spread your weight evenly "
            "over both feet. If you are sparing a leg because of an injury, have that injury "
            "looked at. " + _SEE_SOMEONE
        ),
        source=PASSAGES["unilateral.p1.weight_shift"],
        keywords=("one leg", "body weight", "back problems"),
        side_finding="weight_shift",
        needs_view="a front or back view of you standing",
    ),
    Cause(
        id="connective_tissue_fascia",
        title="Burning or widespread pain, also at rest",
        camera_visible=False,
        findings=(),
        symptoms=(
            SymptomSignal(
                "pain_character",
                "burning",
                1.0,
                "You described the pain as burning.",
                brings_in=True,
            ),
            SymptomSignal(
                "pain_diffuse",
                True,
                0.8,
                "You said the pain is spread out and hard to pin down to one spot.",
                brings_in=True,
            ),
            SymptomSignal(
                "restless_legs",
                True,
                0.8,
                "You said your legs feel restless when you are still.",
                brings_in=True,
            ),
            SymptomSignal("pain_at_rest", True, 0.6, "You said the pain is there at rest as well."),
            SymptomSignal(
                "tingling_or_numbness", True, 0.5, "You noticed tingling or numbness as well."
            ),
        ),
        meaning=(
            "The document describes a kind of lower-leg pain that may come from the connective "
            "tissue in and under the skin or from the sheaths around the muscles (fascia). It "
            "tends to burn, is spread out rather than in one spot, and often continues at rest; it "
            "can come with tingling or itching, a tight or weak feeling, and restless legs, which "
            "sets it apart from ordinary muscle tension. The camera cannot see any of this; it "
            "comes up only because of your answers."
        ),
        advice=(
            "This is not an emergency, but see a doctor or a physiotherapist in the coming weeks "
            "so the cause can be looked into. If the pain becomes severe or sudden, or the leg "
            "swells, see a doctor the same day."
        ),
        source=PASSAGES["unilateral.p1.burning"],
        more_sources=(PASSAGES["unilateral.p2"], PASSAGES["unilateral.p3.fascia"]),
        keywords=("burning", "connective tissue", "rest", "tingling", "restless legs"),
    ),
)


# --------------------------------------------------------------------------------------------
# Red flags

Condition = tuple[str, bool | str]  # (symptom field, answer that counts)


@dataclass(frozen=True)
class RedFlagRule:
    """Answers that mean the user should see a doctor, and how soon.

    ``when_any`` is a list of alternatives; an alternative is met when every condition in it
    holds. Of the rules sharing a ``group`` only the most urgent one that is met is reported.
    ``context`` answers are named in ``triggered_by`` when present but never raise the flag.
    """

    id: str
    group: str
    title: str
    urgency: Urgency
    message: str
    when_any: tuple[tuple[Condition, ...], ...]
    source: SourcePassage
    more_sources: tuple[SourcePassage, ...] = ()
    context: tuple[Condition, ...] = ()
    keywords: tuple[str, ...] = ()


_EMERGENCY_NUMBER = "call the emergency number now (112 in Europe, 999 in the UK, 911 in the US)"

RED_FLAGS: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        id="breathless_or_chest_pain",
        group="lungs",
        title="Breathlessness or chest pain",
        urgency="emergency",
        message=(
            "Shortness of breath, chest pain or coughing up blood together with leg pain can mean "
            "a blood clot has travelled to the lungs. Do not wait: " + _EMERGENCY_NUMBER + "."
        ),
        when_any=((("breathless_or_chest_pain", True),),),
        source=PASSAGES["notes.8.pulmonary_embolism"],
        keywords=("breathlessness", "chest pain"),
    ),
    RedFlagRule(
        id="acute_limb_ischaemia",
        group="limb_blood_supply",
        title="Cold, pale, numb or weak leg",
        urgency="emergency",
        message=(
            "A foot or leg that turns cold and pale, goes numb or can no longer be moved properly, "
            "especially when this came on suddenly or with strong pain, may mean the blood supply "
            "to the leg is blocked. This cannot wait: " + _EMERGENCY_NUMBER + "."
        ),
        when_any=(
            (("foot_cold_pale", True), ("sudden_onset", True)),
            (("foot_cold_pale", True), ("severe_pain", True)),
            (("foot_cold_pale", True), ("tingling_or_numbness", True)),
            (("foot_cold_pale", True), ("leg_weak_or_paralysed", True)),
            (("leg_weak_or_paralysed", True), ("sudden_onset", True)),
        ),
        source=PASSAGES["notes.8.six_ps"],
        keywords=("pallor", "paralysis", "emergency"),
    ),
    RedFlagRule(
        id="compartment_syndrome_urgent",
        group="compartment",
        title="Hard, very painful or numb calf after an injury or heavy exercise",
        urgency="emergency",
        message=(
            "According to the document, a calf that turns hard and painful, with disturbed "
            "feeling, after a blow, a bruise or very heavy sporting effort may point to "
            "compartment syndrome: swelling inside a closed muscle compartment raises the pressure "
            "there and cuts down the blood flow. The research notes add that muscle and nerves can "
            "be harmed within hours. Go to an emergency department now or "
            + _EMERGENCY_NUMBER
            + "."
        ),
        when_any=(
            (("hardened_calf", True), ("after_trauma", True), ("severe_pain", True)),
            (("hardened_calf", True), ("after_trauma", True), ("tingling_or_numbness", True)),
            (("hardened_calf", True), ("after_hard_training", True), ("severe_pain", True)),
            (
                ("hardened_calf", True),
                ("after_hard_training", True),
                ("tingling_or_numbness", True),
            ),
        ),
        source=PASSAGES["unilateral.p6.compartment"],
        more_sources=(PASSAGES["unilateral.p4.compartment"], PASSAGES["notes.8.compartment"]),
        keywords=("compartment", "trauma", "hardened muscles", "sensitivity disorders"),
    ),
    RedFlagRule(
        id="compartment_syndrome_possible",
        group="compartment",
        title="Hardened calf after an injury or hard training",
        urgency="same_day",
        message=(
            "The document names a hardened calf after an injury or heavy sporting strain, or "
            "together with disturbed feeling, as a possible sign of raised pressure in a muscle "
            "compartment. See a doctor today. If the pain becomes severe, or numbness or weakness "
            "appears, go to an emergency department straight away."
        ),
        when_any=(
            (("hardened_calf", True), ("after_trauma", True)),
            (("hardened_calf", True), ("after_hard_training", True)),
            (("hardened_calf", True), ("tingling_or_numbness", True)),
        ),
        source=PASSAGES["unilateral.p6.compartment"],
        more_sources=(PASSAGES["unilateral.p4.compartment"],),
        keywords=("compartment", "hardened muscles"),
    ),
    RedFlagRule(
        id="cold_pale_foot_or_weak_leg",
        group="limb_blood_supply",
        title="Cold or pale foot, or a weak leg",
        urgency="same_day",
        message=(
            "A foot that is cold or pale, or a leg that has become weak, can point to a problem "
            "with the blood supply or the nerves. See a doctor today; if it gets worse quickly, "
            "goes numb or the leg cannot be moved, " + _EMERGENCY_NUMBER + "."
        ),
        when_any=((("foot_cold_pale", True),), (("leg_weak_or_paralysed", True),)),
        source=PASSAGES["notes.8.six_ps"],
        more_sources=(PASSAGES["notes.8.arterial"],),
        keywords=("pallor", "paralysis", "ischaemia"),
    ),
    RedFlagRule(
        id="deep_vein_thrombosis_signs",
        group="dvt",
        title="One swollen, warm or red calf",
        urgency="same_day",
        message=(
            "One calf that is swollen, or warm and red, can be a sign of a blood clot in a deep "
            "leg vein, all the more after an operation, a plaster cast or days spent in bed. See a "
            "doctor today: doctors usually arrange an ultrasound scan within hours. If you become "
            "short of breath, get chest pain or cough up blood, " + _EMERGENCY_NUMBER + "."
        ),
        when_any=((("swelling_one_leg", True),), (("calf_warm_red", True),)),
        context=(("recent_immobilisation_or_surgery", True),),
        source=PASSAGES["notes.8.dvt"],
        more_sources=(PASSAGES["unilateral.p4.sudden_onset"],),
        keywords=("thrombosis", "immobilisation", "swelling"),
    ),
    RedFlagRule(
        id="sudden_onset",
        group="sudden_onset",
        title="Pain that started suddenly",
        urgency="same_day",
        message=(
            "The document says that leg pain which begins suddenly may come from the blood "
            "vessels, for example a clot in a leg vein, poor flow in the veins or arteries "
            "(including narrowed arteries, known as smoker's leg), or from an infected wound. See "
            "a doctor today so these can be ruled out."
        ),
        when_any=((("sudden_onset", True),),),
        source=PASSAGES["unilateral.p4.sudden_onset"],
        keywords=("sudden onset", "thrombosis", "smoker", "wound"),
    ),
    RedFlagRule(
        id="severe_or_stabbing_pain",
        group="acute_pain",
        title="Severe or stabbing pain",
        urgency="same_day",
        message=(
            "The document advises that acute, severe or stabbing pain in the lower leg should be "
            "seen by a doctor as soon as possible, so that a physical illness behind it can be "
            "ruled out quickly. See a doctor today."
        ),
        when_any=((("severe_pain", True),), (("pain_character", "stabbing"),)),
        source=PASSAGES["unilateral.p3.acute_pain"],
        keywords=("severe", "stabbing", "doctor"),
    ),
    RedFlagRule(
        id="pain_on_exertion_relieved_by_rest",
        group="exertion",
        title="Pain with walking or exercise that eases with rest",
        urgency="soon",
        message=(
            "Calf pain that comes on with walking or exercise and settles within a few minutes of "
            "rest can be a sign of narrowed leg arteries; if it takes 10 to 20 minutes to settle, "
            "pressure building up in a muscle compartment during exercise is another possibility. "
            "Book an appointment with your doctor within the next few days. If the pain starts to "
            "come at rest, or the foot turns cold or pale, see a doctor the same day."
        ),
        when_any=((("pain_on_exertion_relieved_by_rest", True),),),
        source=PASSAGES["notes.8.arterial"],
        more_sources=(PASSAGES["notes.8.exertional"], PASSAGES["unilateral.p4.sudden_onset"]),
        keywords=("claudication", "rest", "arterial"),
    ),
    RedFlagRule(
        id="burning_pain_at_rest",
        group="connective_tissue",
        title="Burning pain at rest",
        urgency="routine",
        message=(
            "Burning pain that stays at rest, particularly with tingling, may come from the "
            "connective tissue or the fascia according to the document. It is not an emergency, "
            "but see a doctor or physiotherapist in the coming weeks to have it checked."
        ),
        when_any=(
            (("pain_character", "burning"), ("pain_at_rest", True)),
            (("pain_character", "burning"), ("tingling_or_numbness", True)),
        ),
        source=PASSAGES["unilateral.p1.burning"],
        more_sources=(PASSAGES["unilateral.p2"], PASSAGES["unilateral.p3.fascia"]),
        keywords=("burning", "rest", "connective tissue"),
    ),
)


# --------------------------------------------------------------------------------------------
# Questions the app asks, one per symptom field.


@dataclass(frozen=True)
class SymptomQuestion:
    field: str
    question: str
    choices: tuple[str, ...] = ("yes", "no")  # empty for free text


QUESTIONS: dict[str, SymptomQuestion] = {
    q.field: q
    for q in (
        SymptomQuestion("painful_side", "Which calf hurts?", ("left", "right", "both")),
        SymptomQuestion(
            "pain_character",
            "How would you describe the pain?",
            ("dull", "tension", "burning", "stabbing", "cramping"),
        ),
        SymptomQuestion("severe_pain", "Is the pain severe?"),
        SymptomQuestion("pain_at_rest", "Is the pain also there when you are resting?"),
        SymptomQuestion(
            "pain_on_exertion_relieved_by_rest",
            "Does the pain come on when you walk or exercise and ease within minutes of stopping?",
        ),
        SymptomQuestion("sudden_onset", "Did the pain start suddenly?"),
        SymptomQuestion(
            "after_trauma", "Did it start after a knock, fall, bruise or other injury to the leg?"
        ),
        SymptomQuestion("after_hard_training", "Did it start during or after very hard exercise?"),
        SymptomQuestion("hardened_calf", "Does the calf feel hard or very tight to the touch?"),
        SymptomQuestion(
            "tingling_or_numbness",
            "Is there tingling, pins and needles or numbness in the leg or foot?",
        ),
        SymptomQuestion("swelling_one_leg", "Is one calf or leg swollen compared with the other?"),
        SymptomQuestion("calf_warm_red", "Is the painful calf warm, red or darker than the other?"),
        SymptomQuestion(
            "recent_immobilisation_or_surgery",
            "In the last 12 weeks, have you had an operation, worn a plaster cast, or spent "
            "several days in bed?",
        ),
        SymptomQuestion(
            "breathless_or_chest_pain",
            "Are you short of breath, is there pain in your chest, or did you cough up blood?",
        ),
        SymptomQuestion("foot_cold_pale", "Has the foot on the painful side turned cold or pale?"),
        SymptomQuestion(
            "leg_weak_or_paralysed",
            "Has the leg become weak, or is it hard to move the foot or toes?",
        ),
        SymptomQuestion(
            "long_sitting_bent_knees", "Do you often sit for long periods with your knees bent?"
        ),
        SymptomQuestion("thigh_back_pain", "Is there pain at the back of the thigh as well?"),
        SymptomQuestion(
            "front_thigh_knee_or_low_back_pain",
            "Is there pain at the front of the thigh, in the knee or in the lower back as well?",
        ),
        SymptomQuestion(
            "cycling_without_foot_movement",
            "Do you cycle with the foot held stiff, hardly moving the ankle while pedalling?",
        ),
        SymptomQuestion("heavy_lifting", "Do you lift weights at or beyond your limit?"),
        SymptomQuestion(
            "monotonous_training",
            "Is your training very repetitive, the same exercise again and again?",
        ),
        SymptomQuestion("soft_footbeds", "Do your usual shoes have soft, cushioned footbeds?"),
        SymptomQuestion("pain_diffuse", "Is the pain spread out, so you cannot point to one spot?"),
        SymptomQuestion(
            "restless_legs",
            "Do your legs feel restless, with an urge to move them, when you are still?",
        ),
        SymptomQuestion("sports", "Which sports do you do?", ()),
        SymptomQuestion("footwear", "Which shoes do you usually wear?", ()),
    )
}
