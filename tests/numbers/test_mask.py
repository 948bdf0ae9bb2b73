from __future__ import annotations

import pytest

from vpbx.errors import Invalid
from vpbx.numbers.mask import compile_mask, prefix_upper_bound


@pytest.mark.parametrize(
    ("mask", "like", "prefix", "suffix", "length"),
    [
        ("24777*", "24777%", "24777", "", None),
        ("*6868", "%6868", "", "6868", None),
        ("*777*", "%777%", "", "", None),
        ("2477?8?8??", "2477_8_8__", "2477", "", 10),
        ("**68", "%68", "", "68", None),
        ("12*34", "12%34", "12", "34", None),
        ("*", "%", "", "", None),
    ],
)
def test_masks_compile_to_like_and_ranges(
    mask: str, like: str, prefix: str, suffix: str, length: int | None
) -> None:
    compiled = compile_mask(mask)
    assert (compiled.like, compiled.prefix, compiled.suffix, compiled.exact_length) == (
        like,
        prefix,
        suffix,
        length,
    )


@pytest.mark.parametrize("mask", ["", "12a4", "+8424", "24 77", "%24", "24_7", "1" * 16])
def test_bad_masks_are_refused_with_a_reason(mask: str) -> None:
    with pytest.raises(Invalid) as caught:
        compile_mask(mask)
    assert caught.value.details["field"] == "mask"


def test_a_mask_of_fifteen_digits_and_stars_is_accepted() -> None:
    assert compile_mask("*" + "1" * 15 + "*").like == "%" + "1" * 15 + "%"


def test_prefix_upper_bound_is_the_next_string() -> None:
    assert prefix_upper_bound("24777") == "24778"
    assert prefix_upper_bound("249") == "24:"
    assert prefix_upper_bound("249") > "2499999"
