"""Issue 26: `anju report read` reads every hand-filled file of the corpus to its expected JSON,
and the upload page reads them the same way."""

import json

import pytest

from tests.reporting.corpus import CORPUS, EXPECTED
from tests.reporting.test_read_write import run_read


def test_the_corpus_is_large_and_every_file_has_its_expected_reading():
    assert len(CORPUS) >= 12
    assert {p.stem for p in EXPECTED.glob("*.json")} == set(CORPUS)
    kinds = {json.loads((EXPECTED / f"{name}.json").read_text())["kind"] for name in CORPUS}
    assert kinds == {"annex1", "annex2"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_it_reads_the_hand_filled_file_to_its_expected_json(name, tmp_path):
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(CORPUS[name]())
    code, out, err = run_read(path)
    assert code == 0, err
    assert json.loads(out) == json.loads((EXPECTED / f"{name}.json").read_text())


def test_the_four_row_seed_header_is_not_taken_for_data(tmp_path):
    path = tmp_path / "seed.xlsx"
    path.write_bytes(CORPUS["a1_seed_four_rows"]())
    _code, out, _err = run_read(path)
    result = json.loads(out)
    assert len(result["values"]) == 34
    assert result["values"][:5] == [4, 2, 1, 0, 3]
    assert result["values"][33] == 12.5


def test_a_record_with_nobody_named_is_read_with_a_warning(tmp_path):
    path = tmp_path / "nobody.xlsx"
    path.write_bytes(CORPUS["a2_nobody_named"]())
    code, out, err = run_read(path)
    assert code == 0, err
    result = json.loads(out)
    assert [len(r["persons"]) for r in result["rows"]] == [0, 0, 1]
    assert any("第5行 被反映主要对象：未填写" in w for w in result["warnings"])
