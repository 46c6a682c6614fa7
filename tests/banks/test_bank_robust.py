"""Robust PDQ banks: banked pictures found after crops, turns, mirrors and captions; no noise."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from seawall.banks import robust
from seawall.banks.service import BankService
from seawall.errors import InvalidInput
from seawall.signals.hashers import get_hasher

skdata = pytest.importorskip("skimage.data")
pdq_ref = pytest.importorskip("threatexchange.signal_type.pdq.pdq_hasher")

BANKED = ("astronaut", "coffee", "chelsea")
UNRELATED = ("camera", "rocket", "coins", "moon", "page", "clock", "horse")


def _photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(skdata, name)()).convert("RGB")


def _crop10(im):
    w, h = im.size
    return im.crop((w // 10, h // 10, w - w // 10, h - h // 10))


def _turn5(im):
    return im.rotate(5, Image.BILINEAR)


def _mirror(im):
    return im.transpose(Image.FLIP_LEFT_RIGHT)


def _caption(im):
    im = im.copy()
    size = im.height // 12
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:
        font = ImageFont.load_default()
    ImageDraw.Draw(im).text((im.width // 20, im.height - 2 * size),
                            "when the weekend finally arrives", fill=(255, 255, 255),
                            font=font, stroke_width=2, stroke_fill=(0, 0, 0))
    return im


EDITS = {"crop 10% a side": _crop10, "turn 5°": _turn5, "mirror": _mirror, "caption": _caption}


@pytest.fixture
def banked(service):
    service.create_bank("memes", "pdq", category="violence")
    service.add_images("memes", [_photo(n) for n in BANKED], source="review", added_by="t")


def _index_rows(service) -> int:
    return service.stats("memes")["index"]["hashes"]


def _entry_of(service, name):
    h = get_hasher("pdq").hash_image(_photo(name)).hex
    return next(e.id for e in service.iter_entries("memes") if e.hash == h)


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("name", BANKED)
def test_robust_bank_finds_a_banked_photo_after_an_edit(service, banked, name, edit):
    matches = service.match_image(EDITS[edit](_photo(name)), record=False)
    assert [m.entry_id for m in matches] == [_entry_of(service, name)]
    assert matches[0].distance <= 31


@pytest.mark.parametrize("edit", ["crop 10% a side", "turn 5°", "mirror"])
def test_plain_bank_misses_the_edits_robust_banks_find(service, edit):
    service.create_bank("plain", "pdq", options={"robust": False})
    service.add_images("plain", [_photo("astronaut")])
    assert service.match_image(EDITS[edit](_photo("astronaut")), record=False) == []
    assert len(service.match_image(_photo("astronaut"), record=False)) == 1


def test_robust_bank_does_not_match_unrelated_photos_or_their_edits(service, banked):
    for name in UNRELATED:
        for edit in [lambda im: im, *EDITS.values()]:
            assert service.match_image(edit(_photo(name)), record=False) == [], name


def test_entry_hash_of_a_banked_picture_is_the_reference_pdq(service, banked, tmp_path):
    for name in BANKED:
        path = tmp_path / f"{name}.png"
        _photo(name).save(path)
        ref_hex, _quality = pdq_ref.pdq_from_file(path)
        assert ref_hex in {e.hash for e in service.iter_entries("memes")}


def test_match_reports_which_edit_found_the_entry(service, banked):
    [m] = service.match_image(_crop10(_photo("coffee")), record=False)
    assert m.detail == {"bank_edit": "crop80"}
    [m] = service.match_image(_photo("coffee"), record=False)
    assert m.distance == 0 and m.detail == {}


def test_export_writes_only_the_reference_hash_and_reimports_the_same_entries(service, banked):
    for fmt in ("csv", "jsonl", "te"):
        out = io.StringIO()
        assert service.export("memes", out, fmt) == len(BANKED)
        assert "edits" not in out.getvalue() and "crop" not in out.getvalue()
        service.create_bank(f"copy-{fmt}", "pdq")
        service.import_file(f"copy-{fmt}", io.BytesIO(out.getvalue().encode()), fmt=fmt)
        assert ({e.hash for e in service.iter_entries(f"copy-{fmt}")}
                == {e.hash for e in service.iter_entries("memes")})


def test_hash_list_bank_finds_mirrored_copies_through_query_edits_only(service):
    service.create_bank("partner", "pdq")
    service.add_entries("partner", [get_hasher("pdq").hash_image(_photo("chelsea")).hex])
    [m] = service.match_image(_mirror(_photo("chelsea")), record=False)
    assert m.detail == {"query_edit": "mirror"}
    # Without the picture there is nothing to compare a crop with.
    assert service.match_image(_crop10(_photo("chelsea")), record=False) == []


def test_hash_list_entry_gains_edits_when_its_picture_is_banked(service):
    service.create_bank("partner", "pdq")
    service.add_entries("partner", [get_hasher("pdq").hash_image(_photo("coffee")).hex],
                        source="partner")
    assert service.match_image(_crop10(_photo("coffee")), record=False) == []
    report = service.add_images("partner", [_photo("coffee")])
    assert report.added == 0 and report.already_in_bank == 1
    [m] = service.match_image(_crop10(_photo("coffee")), record=False)
    assert m.source == "partner"


def test_removing_an_entry_removes_its_edited_copies(service, banked):
    entry = _entry_of(service, "astronaut")
    rows = _index_rows(service)
    assert service.remove_entries("memes", entry_ids=[entry]) == 1
    assert _index_rows(service) < rows - 1
    assert service.match_image(_crop10(_photo("astronaut")), record=False) == []


def test_rebuilt_index_keeps_the_edited_copies(service, banked, tmp_path):
    import shutil

    shutil.rmtree(service.home / "banks")
    fresh = BankService(service.engine, service.home, reload_check_s=0.0)
    assert len(fresh.match_image(_turn5(_photo("chelsea")), record=False)) == 1


def test_switching_robust_off_and_on_changes_what_matches(service, banked):
    service.update_bank("memes", options={"robust": False})
    assert service.match_image(_crop10(_photo("coffee")), record=False) == []
    assert _index_rows(service) == len(BANKED)
    service.update_bank("memes", options={"robust": True})
    assert len(service.match_image(_crop10(_photo("coffee")), record=False)) == 1


def test_query_middle_band_only_pairs_with_an_entrys_middle_band():
    numbers = np.array([0] + [robust.EDITS.index(n) + 1 for n in ("crop92", "mirror", "middle")])
    assert robust.accepted("middle", numbers, True).tolist() == [False, False, False, True]
    assert robust.accepted("", numbers, True).all()
    assert robust.accepted("", numbers, False).tolist() == [True, False, False, False]
    assert not robust.accepted("mirror", numbers, False).any()


def test_every_bank_edit_has_a_stable_number():
    from seawall.signals.hashers.pdq_variants import BANK_EDITS, QUERY_EDITS

    assert list(BANK_EDITS) == list(robust.EDITS)
    assert set(QUERY_EDITS) == set(robust.QUERY_EDITS)
    ids, _ = robust.index_rows([(7, robust.encode({"crop96": "00" * 32, "middle": "11" * 32}))])
    entries, numbers = robust.split(ids)
    assert entries.tolist() == [7, 7] and sorted(numbers.tolist()) == [1, len(robust.EDITS)]


def test_query_edits_are_checked_like_hashes(service, banked):
    h = get_hasher("pdq").hash_image(_photo("coffee")).hex
    with pytest.raises(InvalidInput):
        service.match("pdq", [h], edits=[{"rotate": h}])
    with pytest.raises(InvalidInput):
        service.match("pdq", [h], edits=[{"mirror": "xyz"}])
    with pytest.raises(InvalidInput):
        service.match("pdq", [h], edits=[{}, {}])
    service.create_bank("spam", "text")
    with pytest.raises(InvalidInput):
        service.match("text", [h], edits=[{"mirror": h}])


def test_pictures_go_only_to_pdq_banks_and_must_not_be_flat(service):
    service.create_bank("exact", "md5")
    with pytest.raises(InvalidInput):
        service.add_images("exact", [_photo("coffee")])
    service.create_bank("memes", "pdq")
    with pytest.raises(InvalidInput):
        service.add_images("memes", [Image.new("RGB", (64, 64), (90, 90, 90))])
    with pytest.raises(InvalidInput):
        service.add_images("memes", [b"not a picture"])
    assert list(service.iter_entries("memes")) == []


def test_robust_option_must_be_a_boolean(service):
    with pytest.raises(InvalidInput):
        service.create_bank("memes", "pdq", options={"robust": "yes"})
