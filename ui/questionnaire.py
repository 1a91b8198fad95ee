"""The symptom questionnaire, built from the engine's knowledge base.

Questions and their order come from ``posture.explanations`` (red-flag questions first, most
urgent first). Which answers raise a red flag is the engine's call too; this module only
asks and passes the answers on.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from posture.config import CLOTHING_AT_KNEES
from posture.explanations import red_flag_questions, symptom_questions
from ui import components
from ui.engine import make_symptoms, red_flags_for

YES_NO = ("yes", "no")


def question_order() -> tuple[list[Any], list[Any]]:
    """(red-flag questions, other questions), each a list of the engine's SymptomQuestion."""
    first = list(red_flag_questions())
    rest = [q for q in symptom_questions() if q not in first]
    return first, rest


def _answer_widget(question: Any, key: str, answers: dict[str, Any]) -> None:
    choices = tuple(getattr(question, "choices", YES_NO))
    widget_key = f"{key}-q-{question.field}"
    if not choices:
        text = st.text_input(question.question, key=widget_key)
        if text.strip():
            answers[question.field] = text.strip()
        return
    choice = st.radio(question.question, choices, index=None, horizontal=True, key=widget_key)
    if choice is None:
        return
    if choices == YES_NO:
        answers[question.field] = choice == "yes"
    else:
        answers[question.field] = choice


def questionnaire(key: str) -> dict[str, Any]:
    """Ask every question; return the answers given so far (unanswered ones left out)."""
    first, rest = question_order()
    if not first and not rest:
        st.info("The symptom questionnaire is not available in this installation.")
        return {}
    answers: dict[str, Any] = {}
    st.markdown("**Warning signs** (answer these first)")
    for question in first:
        _answer_widget(question, key, answers)
    st.markdown("**About the pain and habits**")
    for question in rest:
        _answer_widget(question, key, answers)
    return answers


def symptoms_expander(key: str) -> tuple[Any, dict[str, Any]]:
    """Optional questionnaire in an expander; red flags show above it as soon as answered.

    Returns (engine Symptoms object or None, raw answers).
    """
    flags_slot = st.container()
    with st.expander("Symptoms (optional): tailor the explanations", expanded=False):
        answers = questionnaire(key)
    flags = red_flags_for(answers) if answers else []
    with flags_slot:
        components.red_flags_box(flags)
    return (make_symptoms(answers) if answers else None), answers


# The engine's words for ``Config.clothing_at_knees``, in the order offered.
CLOTHING_LABELS = {key: words[0].upper() + words[1:] for key, words in CLOTHING_AT_KNEES.items()}


def clothing_choice(key: str, disabled: bool = False) -> str:
    """What the person wears on their legs (a ``Config.clothing_at_knees`` value): cloth
    hides where the knee is, so the engine widens the knee angles' error."""
    return st.selectbox(
        "Clothing on the legs", list(CLOTHING_LABELS), format_func=CLOTHING_LABELS.get,
        key=f"{key}-clothing", disabled=disabled,
        help="Loose or long trousers hide the knee: knee findings near their limit are then "
             "shown as uncertain. Shorts or leggings give the firmest reading.")
