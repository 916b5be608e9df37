"""What the assistance stages' APIs share: list filters that refuse a bad value in Chinese."""
from rest_framework import serializers


def state_filter(choices, what: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, error_messages={
        "invalid_choice": f"{what}状态应为以下之一：{'、'.join(str(value) for value, _label in choices)}"})


def run_filter() -> serializers.IntegerField:
    message = "筛查批次应为批次编号（整数）"
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, error_messages={
        "invalid": message, "min_value": message, "max_value": message, "max_string_length": message})
