"""Type stubs of the seastreamer package."""
from typing import AsyncIterator, Callable, Iterator, Optional, Sequence, Union

from ._native import Error as Error, Message as Message, Producer as Producer, Registration
from ._native import Consumer as _NativeConsumer

Output = Union[bytes, str, dict, list, None]

class Consumer(_NativeConsumer):
    def __aiter__(self) -> AsyncIterator[Message]: ...
    async def __anext__(self) -> Message: ...

class Cluster:
    uri: str
    def __init__(self, uri: str = "") -> None: ...
    def producer(self, stream: str, delivery: str = "at-least-once") -> Producer: ...
    def consumer(self, streams: Union[str, Sequence[str]], group: Optional[str] = None,
                 start: Union[str, int] = "earliest", until_end: bool = False, auto_ack: bool = True,
                 properties: Optional[dict[str, str]] = None) -> Consumer: ...
    def register_processor(self, name: str, exec: str, input: str, output: str, group: str) -> Registration: ...

def connect(uri: str = "") -> Cluster: ...

class ProcessorError(Error): ...

class Processor:
    name: str
    input: str
    output: str
    group: str
    fed: int
    produced: int
    dead_lettered: int
    def __init__(self, fn: Callable[[Message], Output], input: str, output: str, group: str,
                 name: Optional[str] = None, start: Union[str, int] = "earliest", dead_letter: Optional[str] = None,
                 poison: int = 3, batch: int = 1024, until_end: bool = False,
                 properties: Optional[dict[str, str]] = None, commit_interval: float = 0.2) -> None: ...
    def run(self) -> None: ...
    def stop(self) -> None: ...

def processor(input: str, output: str, group: str, name: Optional[str] = None, start: Union[str, int] = "earliest",
              dead_letter: Optional[str] = None, poison: int = 3,
              until_end: bool = False, properties: Optional[dict[str, str]] = None) -> Callable[[Callable[[Message], Output]], Callable[[Message], Output]]: ...

def run(processors: Optional[Sequence[Processor]] = None) -> None: ...
