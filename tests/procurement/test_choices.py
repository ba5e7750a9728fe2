"""The stages and procedures: the rules engine (pure Python) is their one source, and the
Django choices hold exactly its values, in its order."""

from procurement import rules
from procurement.choices import CLOSED_STAGES, OPEN_STAGES, STAGE_ORDER, Procedure, Stage


def test_the_stage_order_is_the_engines():
    assert STAGE_ORDER == rules.STAGES


def test_stage_choices_are_the_engines_stages_and_the_two_beside_them():
    assert set(Stage.values) == {*rules.STAGES, Stage.ON_HOLD, Stage.CANCELLED}
    assert set(OPEN_STAGES) | set(CLOSED_STAGES) == set(Stage.values)
    assert not set(OPEN_STAGES) & set(CLOSED_STAGES)


def test_procedure_choices_are_the_engines_procedures():
    assert tuple(Procedure.values) == rules.PROCEDURES
    assert set(rules.PROCEDURES) >= rules.ADVERTISED
