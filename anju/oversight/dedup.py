"""Registered once (重复件只登记一次): likely duplicates of a new clue, before it is saved.

Text is compared after NFKC folding, traditional-to-simplified conversion (OpenCC) and removal of
spaces and punctuation; the score is the better of a plain edit-distance ratio and a ratio over
the sorted character bigrams, which does not care in which order the clauses were written.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC
from rapidfuzz import fuzz

THRESHOLD = 80  # summaries alone
WITH_PERSON = 60  # when the same person is named
CANDIDATES = 3000

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "")
    simplified = _t2s().convert(folded)
    return _NOT_WORD.sub("", simplified).lower()


def _bigrams(text: str) -> str:
    return " ".join(sorted(text[i : i + 2] for i in range(max(1, len(text) - 1))))


def similarity(a: str, b: str) -> float:
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return max(fuzz.ratio(na, nb), fuzz.token_sort_ratio(_bigrams(na), _bigrams(nb)))


@dataclass(frozen=True)
class Match:
    clue_id: int
    score: float
    same_person: bool
    same_link: bool


def find_duplicates(summary: str, names: list[str], links, candidates) -> list[Match]:
    """Rank `candidates` (an iterable of (id, summary, [names], links)) against a new clue.
    `links` is what 'the same 关联档案' compares (anju.oversight.idlinks.link_key: the masked
    text and the blind indexes of the numbers in it), None when there are none."""
    wanted = {normalise(n) for n in names if n}
    matches = []
    for clue_id, other_summary, other_names, other_links in candidates:
        score = similarity(summary, other_summary)
        same_person = bool(wanted & {normalise(n) for n in other_names})
        same_link = links is not None and links == other_links
        if same_link or score >= THRESHOLD or (same_person and score >= WITH_PERSON):
            matches.append(Match(clue_id, round(score, 1), same_person, same_link))
    return sorted(matches, key=lambda m: (m.same_link, m.same_person, m.score), reverse=True)
