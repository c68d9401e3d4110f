"""The fast paths validate with the operation's own schema: the validator
built once from a ninja Schema accepts and refuses exactly what the
Schema's own validation does, its validators included."""

from __future__ import annotations

from django.test import SimpleTestCase
from ninja import Schema
from pydantic import Field, StrictInt, ValidationError, field_validator, model_validator

from dangjian.lib.fastpath import dict_validator


class Plain(Schema):
    number: StrictInt = Field(ge=1, le=10)
    name: str = Field("", max_length=3)
    tag: str | None = None

    @field_validator("tag")
    @classmethod
    def no_x(cls, value):
        if value == "x":
            raise ValueError("不要 x")
        return value


class Checked(Plain):
    @model_validator(mode="after")
    def name_needs_tag(self):
        if self.name and not self.tag:
            raise ValueError("有名称就要有标签")
        return self


def outcome(validate, data):
    try:
        return validate(data).model_dump()
    except ValidationError as exc:
        return [(e["type"], e["loc"]) for e in exc.errors()]


class DictValidatorTestCase(SimpleTestCase):
    samples: tuple[dict[str, object], ...] = (
        {"number": 3},
        {"number": 3, "name": "abc", "tag": "t", "other": 1},
        {},
        {"number": True},
        {"number": "3"},
        {"number": 11},
        {"number": 3, "name": "abcd"},
        {"number": 3, "tag": "x"},
        {"number": 3, "name": "ab"},
    )

    def test_it_answers_as_the_schema_does(self):
        for schema in (Plain, Checked):
            validate = dict_validator(schema)
            for data in self.samples:
                with self.subTest(schema=schema.__name__, data=data):
                    self.assertEqual(
                        outcome(validate, data), outcome(schema.model_validate, data)
                    )
            self.assertIsInstance(validate({"number": 1}), schema)

    def test_only_ninjas_own_wrapping_is_left_out(self):
        # The plain Schema's model validation runs alone; a Schema with a
        # model validator of its own keeps its whole validation.
        self.assertNotEqual(dict_validator(Plain), Plain.model_validate)
        self.assertEqual(dict_validator(Checked), Checked.model_validate)

    def test_a_schema_validator_still_refuses(self):
        self.assertEqual(
            outcome(dict_validator(Checked), {"number": 3, "name": "ab"}),
            [("value_error", ())],
        )
        self.assertEqual(
            outcome(dict_validator(Plain), {"number": 3, "tag": "x"}),
            [("value_error", ("tag",))],
        )
