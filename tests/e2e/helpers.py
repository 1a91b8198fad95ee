"""Steps the browser tests share."""

from __future__ import annotations


def enter_patient_code(page, base_url: str, code: str):  # noqa: ANN001, ANN201
    """Open the screening session and submit ``code``; returns the patient-code box."""
    page.goto(base_url + "/?mode=session")
    page.get_by_role("heading", name="Screening session").wait_for()
    code_box = page.get_by_role("textbox", name="Patient code")
    code_box.fill(code)
    code_box.press("Enter")
    return code_box
