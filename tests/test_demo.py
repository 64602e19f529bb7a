from anju.demo import region_csv, region_rows
from anju.regions.models import Level, level_of


class TestDemoRegions:
    def test_it_is_deterministic_and_each_size_contains_the_smaller(self):
        small, city, province = (set(region_rows(s)) for s in ("small", "city", "province"))
        assert set(region_rows("small")) == small
        assert small <= city <= province
        assert len(small) < len(city) < len(province)

    def test_small_is_zhangping_with_its_real_townships_and_villages(self):
        rows = region_rows("small")
        townships = [r for r in rows if r[2] == "350881000000"]
        assert len(townships) == 16
        assert ("350881100000", "新桥镇", "350881000000") in townships
        villages = [r for r in rows if level_of(r[0]) == Level.VILLAGE]
        assert villages and all(r[0].startswith(r[2][:9]) for r in villages)

    def test_it_flags_31_base_villages_gongqiao_and_yongfu_first(self):
        text = region_csv("small").decode()
        flagged = [line for line in text.splitlines() if line.endswith(",是")]
        assert len(flagged) == 31
        in_two = [
            line
            for line in text.splitlines()
            if line.split(",")[2][:9] in ("350881102", "350881105")
        ]
        assert in_two and all(line.endswith(",是") for line in in_two)
