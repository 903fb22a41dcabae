"""The batching worker acks a whole run of deliveries with one `basic_ack(multiple=True)`;
`AckWindow` decides how far that may reach when batches finish out of order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from libs.common.messaging.nameko_adapter import AckWindow


def window_of(*tags: int) -> AckWindow:
    window = AckWindow()
    for tag in tags:
        window.delivered(tag)
    return window


def test_a_batch_done_in_order_is_acked_up_to_its_last_tag() -> None:
    window = window_of(1, 2, 3, 4, 5)
    assert window.settle([1, 2, 3]) == 3
    assert len(window) == 2
    assert window.settle([4, 5]) == 5
    assert len(window) == 0


def test_a_later_batch_done_first_waits_for_the_earlier_one() -> None:
    window = window_of(1, 2, 3, 4, 5, 6)
    assert window.settle([4, 5, 6]) is None  # acking 6 "multiple" would ack 1–3 unprocessed
    assert window.settle([1, 2, 3]) == 6  # one frame for both batches


def test_a_requeued_delivery_no_longer_holds_up_the_head() -> None:
    window = window_of(1, 2, 3)
    assert window.settle([2, 3]) is None
    assert window.drop(1) == 3  # 1 went back to the queue; 2 and 3 may be acked
    assert len(window) == 0


def test_unknown_tags_change_nothing() -> None:
    window = window_of(5, 6)
    assert window.settle([1, 2]) is None
    assert window.drop(9) is None
    assert len(window) == 2


@given(st.integers(min_value=1, max_value=40), st.randoms(use_true_random=False))
def test_whatever_the_order_an_ack_never_covers_an_unfinished_delivery(n: int, rnd) -> None:  # type: ignore[no-untyped-def]
    tags = list(range(1, n + 1))
    window = window_of(*tags)
    order = tags[:]
    rnd.shuffle(order)
    done: set[int] = set()
    acked_up_to = 0
    for tag in order:
        done.add(tag)
        upto = window.settle([tag])
        if upto is not None:
            assert upto > acked_up_to
            assert all(t in done for t in range(1, upto + 1))  # never acks one still running
            acked_up_to = upto
    assert acked_up_to == n and len(window) == 0  # and in the end everything is acked
