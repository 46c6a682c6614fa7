"""OCR reads meme text with its boxes; a picture without words reads as nothing."""

import shutil

import numpy as np
import pytest
from PIL import Image

from seawall.content.ocr import RapidOcrReader, TesseractReader, _tsv_lines
from tests.fixtures.media import background, draw_caption

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def meme():
    img = background(640, 480, seed=3)
    top = draw_caption(img, "WHEN THE BUILD PASSES", where="top")
    bottom = draw_caption(img, "ON THE FIRST TRY", where="bottom")
    return np.asarray(img), top, bottom


def overlaps(a, b):
    return not (a[0] + a[2] < b[0] or b[0] + b[2] < a[0] or a[1] + a[3] < b[1] or b[1] + b[3] < a[1])


def test_rapidocr_reads_each_line_where_it_is(meme):
    rgb, top, bottom = meme
    lines = RapidOcrReader().read(rgb)
    assert [l.text for l in lines] == ["WHEN THE BUILD PASSES", "ON THE FIRST TRY"]
    assert overlaps(lines[0].box, top) and overlaps(lines[1].box, bottom)


def test_rapidocr_reads_dark_text_on_a_light_band():
    img = Image.new("RGB", (500, 120), (250, 250, 250))
    draw_caption(img, "me explaining memes", where="middle", fill=(10, 10, 10), stroke=(250, 250, 250))
    lines = RapidOcrReader().read(np.asarray(img))
    assert [l.text.lower() for l in lines] == ["me explaining memes"]


def test_picture_without_words_reads_as_nothing():
    assert RapidOcrReader().read(np.asarray(background(640, 480, seed=5))) == []


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_tesseract_reads_outlined_meme_words(meme):
    rgb, top, bottom = meme
    words = " ".join(l.text for l in TesseractReader().read(rgb)).split()
    assert {"BUILD", "PASSES", "FIRST", "TRY"} <= set(words)


def test_tesseract_tsv_groups_words_into_lines():
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t90\tHELLO\n"
           "5\t1\t1\t1\t1\t2\t50\t22\t40\t10\t80\tTHERE\n"
           "5\t1\t2\t1\t1\t1\t10\t80\t30\t10\t20\tnoise\n")
    lines = _tsv_lines(tsv, min_conf=0.5)
    assert [(l.text, l.box) for l in lines] == [("HELLO THERE", (10, 20, 80, 12))]
