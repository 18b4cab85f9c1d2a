"""Encodings are detected from the bytes; bad input is refused with file and line."""
import codecs

import pytest

from kg_build.reading import InputError, decode_gazette

TEXT = "许政〔2020〕7号\n各县（市、区）人民政府：\n到2020年8月底前完成灵井至许昌东段建设任务。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "gbk"])
def test_encodings_are_detected(encoding):
    text, _ = decode_gazette(TEXT.encode(encoding), source="x.txt")
    assert text == TEXT


def test_utf8_bom_is_removed():
    text, enc = decode_gazette(codecs.BOM_UTF8 + TEXT.encode("utf-8"), source="x.txt")
    assert text == TEXT and enc == "utf-8-sig"


def test_file_name_does_not_decide_the_encoding():
    # a GB18030 file named .utf8.txt is still read as GB18030
    text, enc = decode_gazette(TEXT.encode("gb18030"), source="gazette.utf8.txt")
    assert text == TEXT and enc == "gb18030"


def test_empty_file_is_refused():
    with pytest.raises(InputError) as e:
        decode_gazette(b"  \n\n", source="empty.txt")
    assert str(e.value).startswith("empty.txt:1: ") and "empty" in str(e.value)


def test_binary_file_is_refused_with_its_line():
    with pytest.raises(InputError) as e:
        decode_gazette(b"line one\nline two\n\x00\x01\x02PK\x03\x04", source="archive.zip")
    assert str(e.value).startswith("archive.zip:3: ") and "binary" in str(e.value)


def test_latin1_noise_is_not_taken_for_chinese():
    with pytest.raises(InputError):
        decode_gazette(bytes(range(0x80, 0x100)) * 4, source="noise.bin")
