"""Stream processors in Python: @seastreamer.processor and seastreamer.run().

The commit rule is `sea streamer process`'s: inputs are read a batch at a time, each goes to the
function, its outputs are sent, and only once every output of the batch is acknowledged by the
output's backend are the inputs acknowledged to the group, which commits them every
commit_interval seconds (0.2), at a failure and at the end. A crash (or a kill) before that point
re-delivers the batch: at-least-once. Instances started with the same group share the input's
shards.

An exception raised by the function is reported on stderr with the message (stream, shard,
seq). The same message is retried; after `poison` failures in a row (default 3, as --poison)
it goes to `dead_letter` (a URI/KEY, as --dead-letter: the input's payload, key and headers,
plus the headers sea.error and sea.source) and the run goes on; without a dead letter the run
stops with a ProcessorError (what was committed stays committed).
"""
import os
import socket
import sys
import threading
import time
import traceback

from . import _native

_registered = []


class ProcessorError(_native.Error):
    """A processor's function failed `poison` times on one input and there is no dead letter."""


class Processor:
    """One processor: input stream -> function -> output stream. Made by @processor."""

    def __init__(self, fn, input, output, group, name=None, start="earliest", dead_letter=None,
                 poison=3, batch=1024, until_end=False, properties=None, commit_interval=0.2):
        from . import Cluster  # noqa: F401 (import cycle: the package defines it)
        if poison < 1:
            raise ValueError("poison must be >= 1")
        self.fn = fn
        self.name = name or fn.__name__
        self.input, self.output, self.group = input, output, group
        self.start, self.dead_letter, self.poison = start, dead_letter, poison
        self.batch, self.until_end = batch, until_end
        self.properties = dict(properties or {})
        self.commit_interval = commit_interval
        self.fed = self.produced = self.dead_lettered = 0
        self._stop = threading.Event()

    def stop(self):
        """Asks run() to return after the batch under way (committed)."""
        self._stop.set()

    def run(self):
        """Runs until stop() (or, with until_end, the end of the input)."""
        from . import Cluster
        in_uri, in_keys = _native.parse_address(self.input)
        out_uri, out_keys = _native.parse_address(self.output)
        if len(out_keys) != 1:
            raise ValueError(f"output must name one stream: {self.output}")
        clusters = {}

        def cluster(uri):
            if uri not in clusters:
                clusters[uri] = Cluster(uri)
            return clusters[uri]

        source = cluster(in_uri)
        out = cluster(out_uri).producer(out_keys[0])
        dead = None
        if self.dead_letter:
            d_uri, d_keys = _native.parse_address(self.dead_letter)
            dead = cluster(d_uri).producer(d_keys[0])
        c = source.consumer(in_keys, group=self.group, start=self.start, until_end=self.until_end, auto_ack=False,
                            properties=self.properties)
        exec_line = " ".join([os.path.basename(sys.executable)] + sys.argv)[:200]
        reg = source.register_processor(self.name, exec_line, self.input, self.output, self.group)
        failures = {}  # (stream, shard, seq) -> failures in a row
        last_commit = time.monotonic()
        try:
            while not self._stop.is_set():
                msgs = c.next_batch(self.batch, 1.0)
                if not msgs:
                    if self.until_end and c.at_end:
                        break
                    continue
                done = self._batch(msgs, out, dead, failures)
                out.flush()
                if dead is not None:
                    dead.flush()
                c.ack_batch(msgs, done)
                # The acked inputs are committed every commit_interval (a commit costs the file
                # backend a write; Kafka and Redis a round trip), and at every failure and the end.
                now = time.monotonic()
                if done < len(msgs) or now - last_commit >= self.commit_interval:
                    self._commit(c)
                    last_commit = now
                self.fed += done
                reg.count(self.fed, self.produced)
                if done < len(msgs):
                    # A failed input: it and the rest of the batch come again. Every shard with
                    # inputs not handled is rewound to its first one (acks are cumulative per
                    # shard, so skipping them would lose them at the next commit).
                    firsts = {}
                    for m in msgs[done:]:
                        firsts.setdefault(m.shard, m.seq)
                    for shard, seq in firsts.items():
                        c.assign(shard, seq)
            self._commit(c)
        finally:
            reg.close()

    def _commit(self, c):
        # A commit the group refuses for now (Kafka: a rebalance in progress) is not fatal: the
        # acknowledged inputs stay acknowledged and go with the next commit (or the revoke's).
        try:
            c.commit()
        except _native.Error as e:
            print(f"[{self.name}] commit deferred: {e}", file=sys.stderr, flush=True)

    def _batch(self, msgs, out, dead, failures):
        """Feeds the batch; returns how many inputs are handled (all, or up to a failed one)."""
        start = 0
        while start < len(msgs):
            i, produced, exc = _native.feed(self.fn, msgs, start, out)
            self.produced += produced
            if exc is None:
                failures.clear()
                return len(msgs)
            m = msgs[i]
            where = (m.stream, m.shard, m.seq)
            n = failures.get(where, 0) + 1
            failures.clear()
            failures[where] = n
            print(f"[{self.name}] {m.stream} shard {m.shard} seq {m.seq}: {type(exc).__name__}: {exc} "
                  f"(failure {n} of {self.poison})", file=sys.stderr, flush=True)
            if n < self.poison:
                return i
            if dead is None:
                raise ProcessorError(f"{m.stream} shard {m.shard} seq {m.seq} failed {n} times in a row "
                                     f"(no dead_letter): {type(exc).__name__}: {exc}") from exc
            headers = dict(m.headers)
            headers["sea.error"] = f"{type(exc).__name__}: {exc}"[:1000]
            headers["sea.source"] = f"{m.stream}/{m.shard}/{m.seq}"
            dead.send(m.payload, key=m.key, headers=headers)
            self.dead_lettered += 1
            failures.clear()
            start = i + 1
        return len(msgs)


def processor(input, output, group, name=None, start="earliest", dead_letter=None, poison=3, until_end=False,
              properties=None):
    """Registers `fn(msg)` as a processor of `input` (URI/KEY) into `output` (URI/KEY) under
    consumer group `group`; ss.run() runs it. fn returns a dict (sent as JSON), bytes, str, a list
    of those, or None (nothing). See the module's docstring for the commit and failure rules."""
    def wrap(fn):
        _registered.append(Processor(fn, input, output, group, name=name, start=start,
                                     dead_letter=dead_letter, poison=poison, until_end=until_end,
                                     properties=properties))
        return fn
    return wrap


def run(processors=None):
    """Runs the processors registered with @processor (or those given), each on its own thread
    when there are several, until they end or KeyboardInterrupt (which stops them after their
    batch under way). Raises the first processor's error."""
    procs = list(_registered if processors is None else processors)
    if not procs:
        raise ValueError("no processor: decorate a function with @seastreamer.processor(...) first")
    if len(procs) == 1:
        try:
            procs[0].run()
        except KeyboardInterrupt:
            pass
        return
    errors = []

    def body(p):
        try:
            p.run()
        except BaseException as e:  # noqa: BLE001: reported by run()
            errors.append(e)
            for q in procs:
                q.stop()

    threads = [threading.Thread(target=body, args=(p,), name=p.name) for p in procs]
    for t in threads:
        t.start()
    try:
        for t in threads:
            t.join()
    except KeyboardInterrupt:
        for p in procs:
            p.stop()
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
