"""Confirmed media go into the right bank, re-uploads are blocked, overturned appeals take them out."""

from PIL import Image
from sqlalchemy import select

from seawall.feedback import ReferenceBanks, default_subscribers
from seawall.feedback.banking import hamming, hash_media
from seawall.feedback.tables import BankedMedia
from seawall.review import appeals, claims, testing, verdicts
from seawall.types import Content


def _reencode(src, dst):
    # A re-upload is rarely byte-identical: scaled and saved as JPEG, it must still match.
    im = Image.open(src).convert("RGB")
    im.resize((im.width * 9 // 10, im.height * 9 // 10)).save(dst, quality=80)
    return dst


def _confirm(db, banks, img, action="remove_with_strike", cats=("violence/graphic",)):
    mod = testing.add_user(db, "mia", "moderator", ["violence"])
    testing.route(db, Content(id="orig", text="look", image=str(img), author_id="alice"),
                  moderate=testing.moderate_with(banks))
    with db.session() as s:
        claim = claims.claim_next(s, mod, "violence")
        return verdicts.decide(s, mod, claim.id, action, categories=list(cats),
                               subscribers=default_subscribers(banks))


def test_confirmed_graphic_image_is_banked_and_its_reupload_is_removed(db, tmp_path):
    banks = ReferenceBanks(db.session)
    img = testing.synth_image(tmp_path / "graphic-1.png", seed=3)
    result = _confirm(db, banks, img)
    banked = next(r for r in result.feedback if "bank" in r)
    assert banked["bank"] == "confirmed-violence"
    with db.session() as s:
        kinds = sorted(r.kind for r in s.scalars(select(BankedMedia)))
        assert kinds == ["md5", "pdq"]
    reupload = _reencode(img, tmp_path / "holiday.jpg")
    out = testing.route(db, Content(id="again", image=str(reupload), author_id="bob"),
                        moderate=testing.moderate_with(banks))
    assert out["action"] == "remove_with_strike" and "violence_bank" in out["rules"]


def test_pdq_of_a_reencoded_copy_is_near_and_of_another_picture_far(tmp_path):
    a = testing.synth_image(tmp_path / "a.png", seed=1)
    b = testing.synth_image(tmp_path / "b.png", seed=2)
    ha = next(h for h in hash_media(Content(id="a", image=str(a))) if h.kind == "pdq").value
    copy = _reencode(a, tmp_path / "c.jpg")
    hc = next(h for h in hash_media(Content(id="c", image=str(copy))) if h.kind == "pdq").value
    hb = next(h for h in hash_media(Content(id="b", image=str(b))) if h.kind == "pdq").value
    assert hamming(ha, hc) <= 31 < hamming(ha, hb)


def test_an_allowed_or_unbanked_category_banks_nothing(db, tmp_path):
    banks = ReferenceBanks(db.session)
    img = testing.synth_image(tmp_path / "graphic-2.png")
    result = _confirm(db, banks, img, action="allow", cats=())
    assert not [r for r in result.feedback if "bank" in r]
    with db.session() as s:
        assert list(s.scalars(select(BankedMedia))) == []


def test_overturned_appeal_takes_the_hash_out_so_the_reupload_is_allowed(db, tmp_path):
    banks = ReferenceBanks(db.session)
    img = testing.synth_image(tmp_path / "graphic-3.png", seed=5)
    result = _confirm(db, banks, img)
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    with db.session() as s:
        appeals.file_appeal(s, result.enforced.id, statement="this is a film prop")
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "overturn", subscribers=default_subscribers(banks))
    with db.session() as s:
        assert all(r.removed_at for r in s.scalars(select(BankedMedia)))
    out = testing.route(db, Content(id="again", image=str(_reencode(img, tmp_path / "r.jpg"))),
                        moderate=testing.moderate_with(banks))
    assert out["action"] == "allow"


def test_banking_uses_the_hashes_taken_when_the_item_was_judged(db, tmp_path):
    # Media sent inline is not kept; the hashes its signals reported are what gets banked.
    from seawall.feedback import LabelRecorder, MediaBanker

    def refuse(_content):
        raise AssertionError("media must not be reopened when signals carry hashes")

    banks = ReferenceBanks(db.session)
    img = testing.synth_image(tmp_path / "graphic-9.png", seed=9)
    mod = testing.add_user(db, "mia", "moderator", ["violence"])
    testing.route(db, Content(id="inline", text="look", image=str(img)), moderate=testing.moderate_with(banks))
    img.unlink()
    with db.session() as s:
        claim = claims.claim_next(s, mod, "violence")
        result = verdicts.decide(s, mod, claim.id, "remove", categories=["violence/graphic"],
                                 subscribers=[LabelRecorder(), MediaBanker(banks, hasher=refuse)])
    assert next(r for r in result.feedback if "bank" in r)["entries"]
    with db.session() as s:
        assert sorted(r.kind for r in s.scalars(select(BankedMedia))) == ["md5", "pdq"]


def _service_banks(db, tmp_path):
    """A bank service, review's sink into it, and a moderate() matching through bank_signals()."""
    from seawall.api.testing import fake_signals
    from seawall.banks.service import BankService
    from seawall.banks.signals import bank_signals
    from seawall.feedback.banking import ServiceBanks
    from seawall.policy import decide

    service = BankService(db.engine, tmp_path / "home")

    def moderate(content, *, policy=None):
        # The stand-in image signal reports no query edits: only the bank's own edits find copies.
        signals = fake_signals(content) + testing.image_signal(content)
        return decide(content, signals + bank_signals(content, signals, service=service), policy=policy)

    return service, ServiceBanks(service), moderate


def _mirror(src, dst):
    Image.open(src).convert("RGB").transpose(Image.FLIP_LEFT_RIGHT).save(dst)
    return dst


def test_the_bank_service_blocks_the_reupload_through_the_flows_own_bank_matching(db, tmp_path):
    # The real path: review banks into seawall.banks, and the flow's bank_signals() matches.
    from seawall.feedback import LabelRecorder, MediaBanker

    service, sink, moderate = _service_banks(db, tmp_path)
    img = testing.synth_image(tmp_path / "graphic-4.png", seed=4)
    mod = testing.add_user(db, "mia", "moderator", ["violence"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    testing.route(db, Content(id="orig", text="look", image=str(img), author_id="alice"), moderate=moderate)
    with db.session() as s:
        claim = claims.claim_next(s, mod, "violence")
        result = verdicts.decide(s, mod, claim.id, "remove_with_strike", categories=["violence/graphic"],
                                 subscribers=[LabelRecorder(), MediaBanker(sink)])
    assert service.get_bank("confirmed-violence").kind == "pdq"
    assert service.get_bank("confirmed-violence-md5").kind == "md5"
    out = testing.route(db, Content(id="again", image=str(_reencode(img, tmp_path / "again.jpg"))), moderate=moderate)
    assert out["action"] == "remove_with_strike" and "violence_bank" in out["rules"]

    with db.session() as s:
        appeals.file_appeal(s, result.enforced.id)
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "overturn", subscribers=[LabelRecorder(), MediaBanker(sink)])
    out = testing.route(db, Content(id="third", image=str(_reencode(img, tmp_path / "third.jpg"))), moderate=moderate)
    assert out["action"] == "allow"


def test_a_confirmed_picture_is_banked_with_its_edits_so_a_mirrored_reupload_is_blocked(db, tmp_path):
    from seawall.feedback import LabelRecorder, MediaBanker
    from seawall.signals.hashers.pdq import PdqHasher

    service, sink, moderate = _service_banks(db, tmp_path)
    img = testing.synth_image(tmp_path / "graphic-5.png", seed=5)
    mod = testing.add_user(db, "mia", "moderator", ["violence"])
    lead = testing.add_user(db, "lea", "senior_moderator", ["*"])
    testing.route(db, Content(id="orig", text="look", image=str(img)), moderate=moderate)
    with db.session() as s:
        claim = claims.claim_next(s, mod, "violence")
        result = verdicts.decide(s, mod, claim.id, "remove_with_strike", categories=["violence/graphic"],
                                 subscribers=[LabelRecorder(), MediaBanker(sink)])
    [entry] = service.iter_entries("confirmed-violence")
    assert entry.hash == PdqHasher().hash_image(str(img)).hex and entry.value   # the edits are kept
    mirrored = _mirror(img, tmp_path / "mirrored.png")
    # The query's plain hash only: the mirror is found by the edit banked with the entry.
    [[match]] = service.match("pdq", [PdqHasher().hash_image(str(mirrored)).hex], record=False)
    assert match.detail["bank_edit"] == "mirror"
    out = testing.route(db, Content(id="again", image=str(mirrored)), moderate=moderate)
    assert out["action"] == "remove_with_strike" and "violence_bank" in out["rules"]

    # An overturned appeal takes the picture out with its edits.
    with db.session() as s:
        appeals.file_appeal(s, result.enforced.id)
    with db.session() as s:
        claim = claims.claim_next(s, lead, "appeals")
        appeals.decide_appeal(s, lead, claim.id, "overturn", subscribers=[LabelRecorder(), MediaBanker(sink)])
    out = testing.route(db, Content(id="third", image=str(_mirror(img, tmp_path / "third.png"))),
                        moderate=moderate)
    assert out["action"] == "allow"


def test_without_the_picture_its_hash_is_banked_alone(db, tmp_path):
    from seawall.feedback import LabelRecorder, MediaBanker
    from seawall.feedback.banking import ServiceBanks
    from seawall.signals.hashers.pdq import PdqHasher

    service, _, moderate = _service_banks(db, tmp_path)
    sink = ServiceBanks(service, pictures=lambda content, pdq_hex: None)   # gone since it was judged
    img = testing.synth_image(tmp_path / "graphic-6.png", seed=6)
    mod = testing.add_user(db, "mia", "moderator", ["violence"])
    testing.route(db, Content(id="inline", text="look", image=str(img)), moderate=moderate)
    with db.session() as s:
        claim = claims.claim_next(s, mod, "violence")
        verdicts.decide(s, mod, claim.id, "remove", categories=["violence/graphic"],
                        subscribers=[LabelRecorder(), MediaBanker(sink)])
    [entry] = service.iter_entries("confirmed-violence")
    assert entry.hash == PdqHasher().hash_image(str(img)).hex
    assert entry.value is None                      # no picture, no edited copies
    mirrored = _mirror(img, tmp_path / "mirrored.png")
    assert service.match("pdq", [PdqHasher().hash_image(str(mirrored)).hex], record=False) == [[]]
    out = testing.route(db, Content(id="again", image=str(mirrored)), moderate=moderate)
    assert out["action"] == "allow"


def test_a_picture_that_no_longer_hashes_to_the_banked_pdq_is_not_loaded(tmp_path):
    # The banked hash is what an appeal takes out, so a different picture must not replace it.
    from seawall.feedback.banking import load_picture
    from seawall.signals.hashers.pdq import PdqHasher

    img = testing.synth_image(tmp_path / "a.png", seed=1)
    other = PdqHasher().hash_image(str(testing.synth_image(tmp_path / "b.png", seed=2))).hex
    content = Content(id="a", image=str(img))
    assert load_picture(content, PdqHasher().hash_image(str(img)).hex) is not None
    assert load_picture(content, other) is None
    assert load_picture(Content(id="gone", image=str(tmp_path / "gone.png")), other) is None
