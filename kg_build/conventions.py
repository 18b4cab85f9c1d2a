"""The document conventions of kg_build/data/conventions.toml, compiled once (pure data).

The extractors take their vocabulary from here — title kinds, issuers, section names, role
words — so that reading the next government's documents is a data change plus a test.
"""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

_FILE = Path(__file__).with_name("data") / "conventions.toml"


@lru_cache(maxsize=1)
def raw() -> dict:
    return tomllib.loads(_FILE.read_text(encoding="utf-8"))


def _alternation(words: list[str]) -> str:
    """Longest first, so 牵头考核单位 wins over 牵头."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _section(name: str) -> dict:
    return raw()[name]


# Titles ----------------------------------------------------------------------------------
TITLE_KIND = re.compile(f"(?:{_alternation(_section('titles')['kinds'])}){_section('titles')['kind_tail']}$")
ISSUING = re.compile(_section("titles")["issuing"])
TOC_LINE = re.compile(_section("titles")["toc_line"])

# Issuers and orders ------------------------------------------------------------------------
ISSUER = re.compile(rf"^(?:{_alternation(_section('issuers')['exact'])}|"
                    rf"[\u4e00-\u9fff（）()]{{2,40}}(?:{_alternation(_section('issuers')['suffixes'])}))$")
ORDER_LINE = re.compile(_section("orders")["order_line"])
ORDER_NUMBER = re.compile(_section("orders")["number_line"])
TRAILER_NOTE = re.compile(_section("trailer")["notes"])

# Sections ---------------------------------------------------------------------------------
TASK_SECTION = re.compile(_alternation(_section("sections")["task"]))
GOAL_SECTION = re.compile(_alternation(_section("sections")["goal"]))
NON_TASK_SECTION = re.compile(_alternation(_section("sections")["non_task"]))
NON_TASK_CHAPTER = re.compile(_alternation(_section("sections")["non_task_chapters"]))

# Articles ---------------------------------------------------------------------------------
_art = _section("articles")
ARTICLE_DUTY = re.compile(_art["duty"])
ARTICLE_PRIVATE = re.compile(_art["private_subject"])
ARTICLE_PUBLIC = re.compile(_art["public_subject"])
ARTICLE_ACT = re.compile(rf"(?:{_art['public_subject']})[^。；]{{0,24}}?(?:{_art['acts']})")
ARTICLE_PRINCIPLES = re.compile(_art["principles"])
ARTICLE_DEFINITION = re.compile(_art["definition"])
ARTICLE_PERMISSION = re.compile(_art["permission"])
ARTICLE_SANCTION = re.compile(_art["sanction"])
ARTICLE_CONDITION = re.compile(_art["condition"])
ARTICLE_RIGHT = re.compile(_art["right"])

# Roles ------------------------------------------------------------------------------------
_roles = _section("roles")
LEAD_LABELS = frozenset(_roles["lead_labels"])
OWNER_LABELS = frozenset(_roles["owner_labels"])
REGION_LABELS = frozenset(_roles["region_labels"])
NOTE_LABEL = re.compile(f"({_alternation(_roles['lead_labels'] + _roles['owner_labels'] + _roles['responsible_labels'] + _roles['region_labels'])})[：:]")
LEAD_VERB = re.compile(rf"^(?P<units>.+?)(?:{_alternation(_roles['lead_verbs'])})$")
RESPONSIBLE_VERB = re.compile(rf"^(?P<units>.+?)(?:{_alternation(_roles['responsible_verbs'])})$")
OWNER_VERB = re.compile(rf"^(?P<units>.+?)(?:{_alternation(_roles['owner_verbs'])})$")
FIRST_IS_LEAD = re.compile(_roles["first_is_lead"])
NOT_A_NOTE = re.compile(_roles["not_a_note"])
BLANKET_NOTE = re.compile(_roles["blanket"])
PROSE_SUBJECT = re.compile(_roles["prose_subject"])
ITEM_OWNER = re.compile(_roles["item_owner"])
