import random

from visualizer_server.model.vo.index_ranges import IndexRanges


def test_ranges_merge_in_any_order_and_match_a_plain_set():
    indexes = list(range(200))
    random.Random(3).shuffle(indexes)
    ranges, plain = IndexRanges(), set()
    for index in indexes[:150]:
        assert ranges.add(index) is True
        plain.add(index)
        expanded = {i for start, end in ranges.ranges() for i in range(start, end + 1)}
        assert expanded == plain
    assert ranges.add(indexes[0]) is False
    assert len(ranges) == 150
    missing = {i for start, end in ranges.missing(200) for i in range(start, end + 1)}
    assert missing == set(range(200)) - plain


def test_missing_and_highest():
    ranges = IndexRanges([[0, 1], [5, 5]])
    assert ranges.missing(8) == [[2, 4], [6, 7]]
    assert ranges.missing(2) == []
    assert ranges.highest() == 5 and IndexRanges().highest() == -1
    assert 1 in ranges and 3 not in ranges
