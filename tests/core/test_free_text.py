"""Free text from the public and families (an objection, a review's grounds): what no one sees
neither fills a minimum length nor reaches a staff screen (fundportal.text.free_text_checked)."""
import pytest
from django.core.exceptions import ValidationError

from fundportal.text import free_text_checked, free_text_clean


@pytest.mark.parametrize("invisible", ["\u200b" * 20, "\u202e\u200d\ufeff" * 5, "\u3000" * 10, "\x00\x07" * 5])
def test_invisible_characters_are_not_five_characters(invisible):
    with pytest.raises(ValidationError, match="至少 5 个字"):
        free_text_checked(invisible, field="content", label="异议内容", min_length=5, max_length=500)


def test_a_direction_override_is_removed_and_the_text_kept():
    assert free_text_clean("该户\u202e有车\u202c辆两台") == "该户有车辆两台"


def test_stacked_accents_are_cut_to_two_per_letter():
    assert free_text_clean("a" + "\u0301" * 50 + "b") == "a\u0301\u0301b"


def test_line_breaks_stay_and_length_counts_what_is_kept():
    assert free_text_checked("  第一行\n第二行  ", field="f", label="内容", min_length=5, max_length=10) == "第一行\n第二行"
    with pytest.raises(ValidationError, match="最多 3 个字"):
        free_text_checked("四个字啊", field="f", label="内容", max_length=3)
