"""The band vocabulary: one list that the engine, the model and the words
all read (pure, no database)."""

from ratings import bands, engine
from ratings.models import Band, BandConsequence, Rating


def test_the_bands_in_order_with_not_rated_last():
    assert bands.CODES == ("green", "yellow", "red", "not_rated")
    assert bands.RATED_CODES == ("green", "yellow", "red")
    assert [band.word for band in bands.BANDS] == ["Green", "Yellow", "Red", "Not rated"]


def test_anything_that_is_not_a_band_reads_as_not_rated():
    assert bands.of("") is bands.of("nonsense") is bands.of(bands.NOT_RATED)
    assert bands.word("red") == "Red" and bands.word("") == "Not rated"


def test_the_engine_labels_and_the_model_choices_are_the_vocabulary():
    assert (engine.GREEN, engine.YELLOW, engine.RED, engine.NOT_RATED) == bands.CODES
    assert Band.choices == [(band.code, band.word) for band in bands.BANDS]
    assert Band.GREEN == "green" and Band.NOT_RATED.label == "Not rated"
    for name in ("band", "band_without_adjustment", "band_without_improvement"):
        assert Rating._meta.get_field(name).choices == Band.choices
    # What a band brings is written for the bands of rated organisations only.
    assert BandConsequence._meta.get_field("band").choices == [(band.code, band.word) for band in bands.RATED]


def test_every_band_says_how_it_is_drawn_and_what_it_brings():
    for band in bands.BANDS:
        assert band.shape and band.fill.startswith("#") and band.tag
    # What a band means depends on a run's parameters: public/presenters/band_meanings.py writes it.
    assert not any(hasattr(band, "meaning") for band in bands.BANDS)
    assert [band.code for band in bands.BANDS if band.brings] == ["green", "red"]
    assert [band.code for band in bands.BANDS if band.escalates] == ["red"]
