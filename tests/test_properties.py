"""Property tests of the text readers: any text — random Unicode, random numbering markers
and notes, truncated real documents — either reads or fails with `file:line: message`
(InputError, exit 2 in the CLI); it never crashes with another exception."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg_build.extract import extract_gazette
from kg_build.reading import InputError, decode_gazette

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = ["一、", "（一）", "（二）", "1.", "1．", "1、", "1﹒", "（1）", "⑴", "①", "——", "第一章", "第二条", "专栏1",
          "关于印发", "的通知", "实施方案", "办法", "许政〔2020〕7号", "（第16号）", "市人民政府令", "现将《甲》《乙》印发给你们",
          "（牵头单位：市发改委；责任单位：市财政局）", "（市商务局牵头，市税务局配合）", "（负责部门：商务部，适用范围：",
          "列第一位者为牵头单位，下同", "由公安机关负责；", "以下均需试点城市政府落实，不再列出", "（0.5分）",
          "2020年4月24日", "6月底完成", "到2025年", "达到95%以上", "最高3000万元", "7个工作日内", "。", "，", "：",
          "（", "）", "〔", "〕", "\t", "\n", "\n\n", " ", "\u3000", "附件", "国务院", "应当", "可以"]
ERROR = re.compile(r"^case\.txt:\d+: .+")


def _reads_or_fails_cleanly(text: str) -> None:
    try:
        record = extract_gazette(text, file_name="case.txt")
    except InputError as error:
        assert ERROR.match(str(error)), str(error)
        return
    for plan in record.plans:
        for task in plan.tasks:
            assert 1 <= task.line <= task.end_line <= text.count("\n") + 1


@SETTINGS
@given(st.text(max_size=400))
def test_random_unicode(text):
    _reads_or_fails_cleanly(text)


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet="市局委政府任务推进加强建设", max_size=6)),
                max_size=80))
def test_random_markers_and_notes(pieces):
    _reads_or_fails_cleanly("".join(pieces))


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DOCUMENTS = [p for p in [Path(__file__).resolve().parents[1] / "gazettekg" / "sample" / "xuchang-gazette-2020-02.txt",
                         *sorted((SHARED / "corpus").glob("*.txt"))] if p.exists()]
TEXTS = [p.read_text(encoding="utf-8") for p in DOCUMENTS]


@SETTINGS
@given(st.integers(min_value=0, max_value=len(TEXTS) - 1), st.floats(min_value=0, max_value=1),
       st.floats(min_value=0, max_value=1))
def test_truncated_documents(which, a, b):
    text = TEXTS[which]
    lo, hi = sorted((int(a * len(text)), int(b * len(text))))
    _reads_or_fails_cleanly(text[lo:hi])


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_decode_or_fail_cleanly(data):
    try:
        text, _encoding = decode_gazette(data, source="case.txt")
    except InputError as error:
        assert ERROR.match(str(error)), str(error)
        return
    _reads_or_fails_cleanly(text)
