"""Producing and consuming through the seastreamer module on every backend: payload kinds,
keys and headers, order, next(timeout), iteration, async iteration, seek and assign."""
import asyncio
import time

import pytest

import seastreamer as ss


def test_payload_kinds_keys_headers_in_order(uri, stream):
    cluster = ss.connect(uri)
    p = cluster.producer(stream)
    assert p is cluster.producer(stream)
    p.send(b"\x00\xffbytes", key="k1")  # one key: one shard, so one order
    p.send("text é", key="k1")
    p.send({"id": 1, "qty": 2}, key="k1")
    p.send([1, 2], key="k1", headers={"h": "v", b"raw": b"x"})
    p.flush()
    c = cluster.consumer([stream], start="earliest")
    got = [c.next(timeout=10) for _ in range(4)]
    assert None not in got
    assert got[0].payload == b"\x00\xffbytes"
    assert got[1].payload == "text é".encode()
    assert got[2].json() == {"id": 1, "qty": 2}
    assert got[2].payload == b'{"id":1,"qty":2}'
    assert got[3].json() == [1, 2]
    assert got[3].key == "k1"
    assert got[3].headers == {"h": "v", "raw": "x"}
    assert all(m.stream == stream for m in got)
    assert cluster.producer(stream + "nokey") is not p
    assert abs(got[0].timestamp - time.time() * 1000) < 60_000
    assert got[0].seq < got[1].seq < got[2].seq and got[0].shard == got[1].shard
    p2 = cluster.producer(stream + "nokey")
    p2.send("x")
    p2.flush()
    assert cluster.consumer([stream + "nokey"], start="earliest").next(timeout=10).key is None


def test_next_timeout_is_none_then_late_message(uri, stream):
    cluster = ss.connect(uri)
    c = cluster.consumer([stream], start="earliest")
    t0 = time.monotonic()
    assert c.next(timeout=0.3) is None
    assert 0.25 < time.monotonic() - t0 < 5
    p = cluster.producer(stream)
    p.send("late")
    p.flush()
    m = c.next(timeout=10)
    assert m is not None and m.payload == b"late"


def test_iteration_many_in_order(uri, stream):
    cluster = ss.connect(uri)
    p = cluster.producer(stream)
    for i in range(5000):
        p.send({"i": i}, key="same")  # one key: one shard, so one order
    p.flush()
    c = cluster.consumer([stream], start="earliest", until_end=True)
    seen = [m.json()["i"] for m in c]
    assert seen == list(range(5000))


def test_async_for(uri, stream):
    cluster = ss.connect(uri)
    p = cluster.producer(stream)
    for i in range(300):
        p.send(str(i), key="same")
    p.flush()

    async def read():
        out = []
        ticks = 0
        c = cluster.consumer([stream], start="earliest")

        async def ticker():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        t = asyncio.create_task(ticker())
        async for m in c:
            out.append(int(m.payload))
            if len(out) == 300:
                break
        t.cancel()
        return out, ticks

    out, ticks = asyncio.run(read())
    assert out == list(range(300))
    assert ticks >= 1  # the asyncio loop ran while the consumer waited


def test_seek_and_assign(uri, stream):
    cluster = ss.connect(uri)
    p = cluster.producer(stream)
    for i in range(10):
        p.send(str(i), key="same")
    p.flush()
    c = cluster.consumer([stream], start="earliest")
    first = [c.next(timeout=10) for _ in range(10)]
    assert [int(m.payload) for m in first] == list(range(10))
    c.assign(first[6].shard, first[6].seq)
    assert c.next(timeout=10).payload == b"6"
    c.seek(first[0].timestamp)
    assert c.next(timeout=10).payload == b"0"
    c.seek("2000-01-01T00:00:00Z")
    assert c.next(timeout=10).payload == b"0"


def test_bad_input_raises_clear_errors(tmp_path):
    with pytest.raises(ss.Error) as e:
        ss.connect("nope://x")
    assert e.value.code == "invalid argument"
    cluster = ss.connect(f"file://{tmp_path}")
    with pytest.raises(ss.Error, match="bad character"):
        cluster.producer("bad/name")
    with pytest.raises(TypeError, match="key must be bytes or str"):
        cluster.producer("ok").send("x", key=3)
    with pytest.raises(ss.Error):
        cluster.consumer(["ok"], start="sometime")
    with pytest.raises(ValueError):
        cluster.consumer(["ok"]).next(timeout=-1)


def test_ctrl_c_stops_a_wait(tmp_path):
    """A wait without a timeout releases the GIL in slices, so SIGINT raises KeyboardInterrupt."""
    import os
    import signal
    import threading
    c = ss.connect(f"file://{tmp_path}").consumer(["quiet"])
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for _ in c:
            pass
    assert time.monotonic() - t0 < 3
