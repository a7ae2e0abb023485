"""Groups and processors through the seastreamer module: a group resumes after what was handed
on; @ss.processor commits inputs only after their outputs are stored, follows the poison /
dead-letter policy, and registers itself in the cluster's sea.processors stream."""
import re

import pytest

import seastreamer as ss

def consumer(cluster, stream, group, props):
    return cluster.consumer([stream], group=group, start="earliest", until_end=True, properties=props)


def test_group_resumes(uri, stream, props):
    cluster = ss.connect(uri)
    p = cluster.producer(stream)
    for i in range(20):
        p.send(str(i), key="same")
    p.flush()
    c = consumer(cluster, stream, stream + "g", props)
    got = [int(c.next(timeout=20).payload) for _ in range(5)]
    c.commit()
    del c
    rest = [int(m.payload) for m in consumer(cluster, stream, stream + "g", props)]
    assert got + rest == list(range(20))


def test_processor_outputs_and_commit(uri, stream, props):
    cluster = ss.connect(uri)
    p = cluster.producer(stream + "in")
    for i in range(1000):
        p.send({"id": i, "qty": i % 4, "price": 2})
    p.flush()

    def total(msg):
        o = msg.json()
        if o["qty"] == 0:
            return None
        if o["qty"] == 3:
            return [{"id": o["id"], "part": 1}, {"id": o["id"], "part": 2}]
        return {"id": o["id"], "total": o["qty"] * o["price"]}

    proc = ss.Processor(total, f"{uri}/{stream}in", f"{uri}/{stream}out", group=stream + "totals", until_end=True,
                        properties=props)
    ss.run([proc])
    assert proc.fed == 1000
    assert proc.produced == 250 + 250 + 2 * 250  # qty 0: none; 1, 2: one; 3: two
    out = [m.json() for m in cluster.consumer([stream + "out"], start="earliest", until_end=True)]
    assert len(out) == 1000 and sum(1 for o in out if 'part' in o) == 500
    assert {"id": 1, "total": 2} in out and {"id": 3, "part": 2} in out
    # Committed: a second run with the group feeds nothing.
    again = ss.Processor(total, f"{uri}/{stream}in", f"{uri}/{stream}out", group=stream + "totals", until_end=True,
                        properties=props)
    ss.run([again])
    assert again.fed == 0
    # Registered: the registry stream has its heartbeats, the last one "stopped".
    regs = [m.json() for m in cluster.consumer(["sea.processors"], start="earliest", until_end=True)]
    mine = [r for r in regs if r.get("input") == f"{uri}/{stream}in"]
    assert mine and all(r["name"] == "total" for r in mine)
    assert any(r["state"] == "stopped" for r in mine)  # (Kafka: several shards, so not last)


def test_poison_goes_to_dead_letter(uri, stream, props, capfd):
    cluster = ss.connect(uri)
    p = cluster.producer(stream + "in")
    for i in range(10):
        p.send({"id": i}, key="same")
    p.flush()
    calls = []

    def fragile(msg):
        calls.append(msg.json()["id"])
        if msg.json()["id"] == 4:
            raise ValueError("four")
        return msg.payload

    proc = ss.Processor(fragile, f"{uri}/{stream}in", f"{uri}/{stream}out", group=stream + "g", until_end=True, properties=props,
                        dead_letter=f"{uri}/{stream}dead", poison=2)
    proc.run()
    assert calls.count(4) == 2
    assert proc.dead_lettered == 1
    err = capfd.readouterr().err
    assert re.search(f"{stream}in shard [0-9]+ seq [0-9]+: ValueError: four \\(failure 2 of 2\\)", err), err
    out = [m.json()["id"] for m in cluster.consumer([stream + "out"], start="earliest", until_end=True)]
    assert out == [0, 1, 2, 3, 5, 6, 7, 8, 9]
    dead = list(cluster.consumer([stream + "dead"], start="earliest", until_end=True))
    assert len(dead) == 1 and dead[0].json() == {"id": 4}
    assert dead[0].headers["sea.error"] == "ValueError: four"
    assert re.fullmatch(f"{stream}in/[0-9]+/[0-9]+", dead[0].headers["sea.source"])


def test_poison_without_dead_letter_stops(uri, stream, props):
    cluster = ss.connect(uri)
    p = cluster.producer(stream + "in")
    for i in range(3):
        p.send({"id": i}, key="same")
    p.flush()

    def bad(msg):
        if msg.json()["id"] == 1:
            raise KeyError("x")
        return msg.payload

    proc = ss.Processor(bad, f"{uri}/{stream}in", f"{uri}/{stream}out", group=stream + "g", until_end=True, poison=1,
                        properties=props)
    with pytest.raises(ss.ProcessorError, match="failed 1 times in a row"):
        proc.run()
    # The input before it was committed, and its output stored.
    out = [m.json()["id"] for m in cluster.consumer([stream + "out"], start="earliest", until_end=True)]
    assert out == [0]
