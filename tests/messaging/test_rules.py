"""Pure SMS rules: parts, templates."""

from __future__ import annotations

import pytest

from vpbx.errors import Invalid
from vpbx.messaging.rules import clean_text, new_ref, parts_of, render, template_params


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("Xin chào" + "a" * 62, 1),  # 'à' is GSM; 70 characters
        ("Xin chào bạn", 1),  # 'ạ' is not: UCS-2
        ("ạ" * 70, 1),
        ("ạ" * 71, 2),
        ("ạ" * 134, 2),
        ("ạ" * 135, 3),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_parts(text: str, parts: int) -> None:
    assert parts_of(text) == parts


def test_text_rules() -> None:
    assert clean_text("a\nb", field="text", max_parts=1) == "a\nb"
    for bad, code in [("  ", "empty_text"), ("a\x00", "invalid_text"), ("a\x1b", "invalid_text")]:
        with pytest.raises(Invalid) as caught:
            clean_text(bad, field="text", max_parts=10)
        assert caught.value.code == code
    with pytest.raises(Invalid) as too_long:
        clean_text("a" * 161, field="text", max_parts=1)
    assert too_long.value.code == "text_too_long"


def test_templates_render_named_parameters() -> None:
    body = "Ma {otp} cho {name}; {otp} het han sau {minutes} phut. {not a param} {}"
    assert template_params(body) == ["otp", "name", "minutes"]
    out = render(body, {"otp": "123456", "name": "Lan", "minutes": "5"})
    assert out == "Ma 123456 cho Lan; 123456 het han sau 5 phut. {not a param} {}"


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"otp": "1"}, "template_param_missing", "name"),
        ({"otp": "1", "name": "x", "extra": "y"}, "template_param_unknown", "extra"),
        ({"otp": "1", "name": "a\nb"}, "template_param_invalid", "name"),
        ({"otp": "1", "name": "x" * 201}, "template_param_invalid", "name"),
    ],
)
def test_template_parameters_must_match(params: dict[str, str], code: str, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        render("{otp} {name}", params)
    assert caught.value.code == code
    assert caught.value.details["field"] == field


def test_refs_are_random() -> None:
    refs = {new_ref() for _ in range(100)}
    assert len(refs) == 100
    assert all(len(r) == 30 and r.isalnum() and r.upper() == r for r in refs)
