"""SeaStreamer for Python: one API over Kafka, Redis Streams and a local file log.

    import seastreamer as ss
    cluster = ss.connect("redis://localhost:6379")        # kafka://h:p, file:///dir
    p = cluster.producer("orders")
    p.send({"id": 1, "qty": 2})                           # dict -> JSON; bytes and str as they are
    p.flush()
    c = cluster.consumer(["orders"], group="billing", start="earliest")
    for msg in c:                                         # or c.next(timeout=5), or async for
        print(msg.stream, msg.shard, msg.seq, msg.json())

Processors (at-least-once, like `sea streamer process`):

    @ss.processor(input="redis://localhost:6379/orders", output="kafka://localhost:9092/totals", group="totals")
    def total(msg):
        o = msg.json(); return {"id": o["id"], "total": o["qty"] * o["price"]}
    ss.run()

Built on libseastreamer's C++ façade (<seastreamer/seastreamer.hpp>); errors raise
seastreamer.Error (a RuntimeError with a `code`: not_found, invalid_argument, backend...).
"""
import asyncio
import os
import sys
import threading

from ._native import Cluster as _Cluster, Consumer, Error, Message, Producer

__all__ = ["connect", "Cluster", "Consumer", "Producer", "Message", "Error", "processor", "run", "Processor", "ProcessorError"]


class Cluster:
    """A connection to a backend. Made by connect(); owns the event loop its clients run on."""

    def __init__(self, uri=""):
        self._native = _Cluster(uri)
        self.uri = self._native.uri

    def producer(self, stream, delivery="at-least-once"):
        """The producer of `stream` (the same object for the same stream and delivery).
        delivery: "at-most-once", "at-least-once" (default) or "exactly-once"."""
        return self._native.producer(stream, delivery)

    def consumer(self, streams, group=None, start="earliest", until_end=False, auto_ack=True, properties=None):
        """A consumer of `streams` (a list of keys, or one key).
        group: read as a member of this consumer group (shards shared, positions committed).
        start: where to begin without a committed position, as --from: "earliest", "latest",
        "seq:N", "seq:SHARD:N", "time:T", a time string, or epoch ms (int).
        until_end: iteration stops at the end of what is there (else it waits for more).
        auto_ack: with a group, a message is acknowledged when the next one is asked for.
        properties: backend client properties, as -X passes them (e.g. librdkafka's)."""
        if isinstance(streams, str):
            streams = [streams]
        return _AsyncConsumer(self._native.consumer(list(streams), group, start, until_end, auto_ack,
                                                   dict(properties or {})), until_end)

    def register_processor(self, name, exec, input, output, group):
        """Registers a processor in this cluster's sea.processors stream (seen by `sea streamer top`)."""
        return self._native.register_processor(name, exec, input, output, group)


class _AsyncConsumer:
    """A native Consumer that also supports `async for`."""

    def __init__(self, native, until_end):
        self._c = native
        self._until_end = until_end
        self._pending = []

    def __getattr__(self, name):
        return getattr(self._c, name)

    def __iter__(self):
        return iter(self._c)

    def __aiter__(self):
        return self

    async def __anext__(self):
        # The wait happens on a worker thread (which releases the GIL), a batch at a time and at
        # most a second per hop, so the asyncio loop keeps running other tasks and a cancelled
        # task leaves no thread blocked for long.
        while not self._pending:
            batch = await asyncio.get_running_loop().run_in_executor(None, self._c.next_batch, 1024, 1.0)
            if not batch and self._until_end and self._c.at_end:
                raise StopAsyncIteration
            self._pending = batch[::-1]
        return self._pending.pop()


def connect(uri=""):
    """Connects to a cluster: kafka://host:port, redis://host:port, file:///dir, stdio://.
    Empty: $SEA_STREAMER_URI, else file://./sea-streams."""
    return Cluster(uri)


from ._processor import Processor, ProcessorError, processor, run  # noqa: E402  (uses Cluster above)
