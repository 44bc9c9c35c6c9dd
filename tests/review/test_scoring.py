"""The scoring maths on fixed data, with exact expected numbers (no database)."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from grants.review import scoring


@dataclass
class C:
    weight: D
    scale_min: int = 1
    scale_max: int = 5


IMPACT, COMMUNITY, BUDGET = C(D("3")), C(D("2")), C(D("1"))


def test_scaled_score_puts_every_scale_on_0_to_100():
    assert [scoring.scaled_score(s, 1, 5) for s in range(1, 6)] == [D(0), D(25), D(50), D(75), D(100)]
    assert scoring.scaled_score(7, 0, 10) == D(70)
    with pytest.raises(ValueError):
        scoring.scaled_score(6, 1, 5)


def test_weighted_score_weights_each_criterion():
    # (3×100 + 2×50 + 1×0) / 6 = 66.666… → 66.67
    assert scoring.review_weighted_score([(IMPACT, 5), (COMMUNITY, 3), (BUDGET, 1)]) == D("66.67")


def test_not_applicable_is_left_out_not_counted_as_zero():
    # Budget n/a: (3×100 + 2×50) / 5 = 80, whereas counting it as the lowest point would give 66.67.
    assert scoring.review_weighted_score([(IMPACT, 5), (COMMUNITY, 3), (BUDGET, None)]) == D("80.00")
    assert scoring.review_weighted_score([(IMPACT, None), (BUDGET, None)]) is None


def test_mixed_scales_combine_on_the_same_footing():
    ten_point = C(D("1"), 0, 10)
    # (1×75 + 1×70) / 2 = 72.5
    assert scoring.review_weighted_score([(C(D("1")), 4), (ten_point, 7)]) == D("72.50")


def test_application_mean_of_submitted_scores():
    assert scoring.mean([D("66.67"), D("80.00"), D("50.00")]) == D("65.56")
    assert scoring.mean([]) is None


def test_reviewer_population_std_and_z_scores():
    stats = scoring.reviewer_stats([D("40"), D("60"), D("80")])
    # mean 60, population variance (400 + 0 + 400) / 3 = 266.67, std = 16.3299…
    assert stats.mean == D("60")
    assert stats.std.quantize(D("0.0001")) == D("16.3299")
    assert scoring.z_score(D("80"), stats) == D("1.225")
    assert scoring.z_score(D("40"), stats) == D("-1.225")
    assert scoring.z_score(D("60"), stats) == D("0.000")


def test_reviewer_with_one_review_or_no_spread_has_zero_z():
    assert scoring.z_score(D("90"), scoring.reviewer_stats([D("90")])) == D("0")
    flat = scoring.reviewer_stats([D("70"), D("70")])
    assert flat.std == D("0")
    assert scoring.z_score(D("70"), flat) == D("0")


def test_stats_from_sql_sums_match_the_direct_calculation():
    direct = scoring.reviewer_stats([D("40"), D("60"), D("80")])
    from_sums = scoring.stats_from_sums(3, D("180"), D("11600"))
    assert from_sums.mean == direct.mean
    assert from_sums.std.quantize(D("0.000001")) == direct.std.quantize(D("0.000001"))


def test_normalisation_stops_a_harsh_reviewer_sinking_an_application():
    # The harsh reviewer H scores everyone low; the generous G scores everyone high.
    harsh = {"A": D("20"), "B": D("40"), "C": D("30")}
    generous = {"A": D("80"), "B": D("90"), "C": D("100")}
    stats = {"H": scoring.reviewer_stats(harsh.values()), "G": scoring.reviewer_stats(generous.values())}
    # B: H's best (z = 1.225) and G's middle (z = 0): normalised 0.612 (mean of z in full precision).
    assert scoring.normalised_score([("H", harsh["B"]), ("G", generous["B"])], stats) == D("0.612")
    # A: the worst of both reviewers (z = −1.225 each).
    assert scoring.normalised_score([("H", harsh["A"]), ("G", generous["A"])], stats) == D("-1.225")
    # C: H's middle (z = 0) and G's best (z = 1.225): the same 0.612 as B, as their raw means are also equal (65).
    assert scoring.normalised_score([("H", harsh["C"]), ("G", generous["C"])], stats) == D("0.612")
    assert scoring.normalised_score([], stats) is None


def test_spread_and_disagreement_flag():
    assert scoring.spread([D("20.00"), D("85.50"), D("60")]) == D("65.50")
    assert scoring.is_disagreement(D("65.50"), D("30")) is True
    assert scoring.is_disagreement(D("30.00"), D("30")) is False  # the threshold itself is agreement
    assert scoring.spread([]) is None and scoring.is_disagreement(None, D("30")) is False


def test_recommendation_counts_always_list_every_option():
    assert scoring.recommendation_counts(["fund", "fund", "do_not_fund", ""]) == {
        "fund": 2,
        "maybe": 0,
        "do_not_fund": 1,
    }


def test_application_result_puts_it_together():
    stats = {
        "H": scoring.reviewer_stats([D("20"), D("40"), D("30")]),
        "G": scoring.reviewer_stats([D("80"), D("90"), D("100")]),
        "X": scoring.reviewer_stats([D("55")]),
    }
    result = scoring.application_result(
        [("H", D("40"), "maybe"), ("G", D("90"), "fund"), ("X", D("55"), "fund")], stats, D("30")
    )
    assert result.mean == D("61.67")
    assert result.z_scores == [D("1.225"), D("0.000"), D("0")]
    assert result.normalised == D("0.408")  # (1.2247… + 0 + 0) / 3
    assert result.spread == D("50")
    assert result.disagreement is True
    assert result.recommendations == {"fund": 2, "maybe": 1, "do_not_fund": 0}
