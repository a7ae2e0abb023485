# fish completion for sea (SeaStreamer): `sea streamer SUBCOMMAND` and every option of each,
# with values where the set is known and file names for the PATH of flux, tap and decode.
# Installed as share/fish/vendor_completions.d/sea.fish. scripts/check-docs reads the lines
# guarded by `__sea_streamer_using ... SUB`: they must give every option of
# `sea streamer SUB --help`, long (-l) and short (-s).

# True when the command line is `sea streamer SUB ...` with SUB one of the arguments.
function __sea_streamer_using
    set -l words (commandline -opc)
    test (count $words) -ge 3; and test "$words[2]" = streamer; and contains -- $words[3] $argv
end

# True when the command line is `sea streamer` with no subcommand yet.
function __sea_streamer_needs_subcommand
    set -l words (commandline -opc)
    test (count $words) -eq 2; and test "$words[2]" = streamer
end

complete -c sea -f
complete -c sea -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c sea -n __fish_use_subcommand -l version -d 'Print the version and exit'
complete -c sea -n __fish_use_subcommand -a streamer -d 'Stream commands (flux, tap, produce, consume, ...)'
complete -c sea -n __sea_streamer_needs_subcommand -s h -l help -d 'Print help and exit'
complete -c sea -n __sea_streamer_needs_subcommand -a flux -d 'Create a FIFO and produce every frame written into it'
complete -c sea -n __sea_streamer_needs_subcommand -a tap -d 'Create a FIFO and write consumed messages into it'
complete -c sea -n __sea_streamer_needs_subcommand -a produce -d 'Produce frames read from stdin'
complete -c sea -n __sea_streamer_needs_subcommand -a consume -d 'Write consumed messages to stdout'
complete -c sea -n __sea_streamer_needs_subcommand -a decode -d 'Inspect the file backend\'s data: messages and segments'
complete -c sea -n __sea_streamer_needs_subcommand -a mock-kafka -d 'Run librdkafka\'s mock Kafka cluster'

# sea streamer flux
complete -c sea -n '__sea_streamer_using flux' -F
complete -c sea -n '__sea_streamer_using flux' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using flux' -s b -l cluster -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)'
complete -c sea -n '__sea_streamer_using flux' -s t -l topic -x -d 'Stream key (repeatable, or k1,k2)'
complete -c sea -n '__sea_streamer_using flux' -s s -l stream -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Stream address URI/KEY'
complete -c sea -n '__sea_streamer_using flux' -s X -x -a 'file.fsync=off file.fsync=batch file.fsync=always file.segment.bytes=' -d 'Backend client property key=value'
complete -c sea -n '__sea_streamer_using flux' -s F -l config -r -F -d 'Kafka client properties file (key=value lines)'
complete -c sea -n '__sea_streamer_using flux' -s v -l verbose -d 'More logging on stderr (repeatable)'
complete -c sea -n '__sea_streamer_using flux' -s q -l quiet -d 'Only errors on stderr'
complete -c sea -n '__sea_streamer_using flux' -l format -x -a 'ndjson lines csv tsv msgpack binary' -d 'Input framing'
complete -c sea -n '__sea_streamer_using flux' -l key -x -d 'Take the message key from this field'
complete -c sea -n '__sea_streamer_using flux' -l delimiter -x -d 'CSV field delimiter'
complete -c sea -n '__sea_streamer_using flux' -l quote -x -d 'CSV quote character'
complete -c sea -n '__sea_streamer_using flux' -l no-header -d 'CSV/TSV input has no header row'
complete -c sea -n '__sea_streamer_using flux' -l tsv-escapes -d 'TSV: read \\t \\n \\r \\\\ escapes'
complete -c sea -n '__sea_streamer_using flux' -l to -x -a 'json' -d 'msgpack: store as json'
complete -c sea -n '__sea_streamer_using flux' -l max-message-bytes -x -d 'Largest frame accepted (k, M, G)'
complete -c sea -n '__sea_streamer_using flux' -l on-error -x -a 'fail skip dead-letter:' -d 'Bad input: fail, skip or dead-letter:URI/KEY'
complete -c sea -n '__sea_streamer_using flux' -l delivery -x -a 'at-most-once at-least-once exactly-once' -d 'Delivery guarantee'
complete -c sea -n '__sea_streamer_using flux' -s p -l shard -x -d 'Produce to this shard'
complete -c sea -n '__sea_streamer_using flux' -l dedupe-window -x -d 'exactly-once on Redis/file: key dedupe window'

# sea streamer tap
complete -c sea -n '__sea_streamer_using tap' -F
complete -c sea -n '__sea_streamer_using tap' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using tap' -s b -l cluster -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)'
complete -c sea -n '__sea_streamer_using tap' -s t -l topic -x -d 'Stream key (repeatable, or k1,k2)'
complete -c sea -n '__sea_streamer_using tap' -s s -l stream -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Stream address URI/KEY'
complete -c sea -n '__sea_streamer_using tap' -s X -x -a 'file.fsync=off file.fsync=batch file.fsync=always file.segment.bytes=' -d 'Backend client property key=value'
complete -c sea -n '__sea_streamer_using tap' -s F -l config -r -F -d 'Kafka client properties file (key=value lines)'
complete -c sea -n '__sea_streamer_using tap' -s v -l verbose -d 'More logging on stderr (repeatable)'
complete -c sea -n '__sea_streamer_using tap' -s q -l quiet -d 'Only errors on stderr'
complete -c sea -n '__sea_streamer_using tap' -s o -l from -x -a 'earliest latest seq: time:' -d 'Start: earliest, latest, seq:N, seq:SHARD:N, time:ISO8601|-5m'
complete -c sea -n '__sea_streamer_using tap' -s G -l group -x -d 'Consumer group'
complete -c sea -n '__sea_streamer_using tap' -l mode -x -a 'latest repeat exactly-once' -d 'Consumer mode'
complete -c sea -n '__sea_streamer_using tap' -s e -l exit -d 'Exit at the end of the stream'
complete -c sea -n '__sea_streamer_using tap' -s c -l count -x -d 'Exit after this many messages'
complete -c sea -n '__sea_streamer_using tap' -l shards -x -d 'Read only these shards'
complete -c sea -n '__sea_streamer_using tap' -l format -x -a 'raw ndjson lines csv tsv msgpack binary' -d 'Output framing'
complete -c sea -n '__sea_streamer_using tap' -s J -l envelope -d 'NDJSON envelopes'
complete -c sea -n '__sea_streamer_using tap' -s f -l format-string -x -d 'kcat-style format: %t %p %o %T %k %K %s %S %h'
complete -c sea -n '__sea_streamer_using tap' -l output-delimiter -x -d 'CSV output delimiter'
complete -c sea -n '__sea_streamer_using tap' -l no-output-header -d 'CSV/TSV output without a header row'

# sea streamer produce
complete -c sea -n '__sea_streamer_using produce' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using produce' -s b -l cluster -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)'
complete -c sea -n '__sea_streamer_using produce' -s t -l topic -x -d 'Stream key (repeatable, or k1,k2)'
complete -c sea -n '__sea_streamer_using produce' -s s -l stream -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Stream address URI/KEY'
complete -c sea -n '__sea_streamer_using produce' -s X -x -a 'file.fsync=off file.fsync=batch file.fsync=always file.segment.bytes=' -d 'Backend client property key=value'
complete -c sea -n '__sea_streamer_using produce' -s F -l config -r -F -d 'Kafka client properties file (key=value lines)'
complete -c sea -n '__sea_streamer_using produce' -s v -l verbose -d 'More logging on stderr (repeatable)'
complete -c sea -n '__sea_streamer_using produce' -s q -l quiet -d 'Only errors on stderr'
complete -c sea -n '__sea_streamer_using produce' -l format -x -a 'ndjson lines csv tsv msgpack binary' -d 'Input framing'
complete -c sea -n '__sea_streamer_using produce' -l key -x -d 'Take the message key from this field'
complete -c sea -n '__sea_streamer_using produce' -l delimiter -x -d 'CSV field delimiter'
complete -c sea -n '__sea_streamer_using produce' -l quote -x -d 'CSV quote character'
complete -c sea -n '__sea_streamer_using produce' -l no-header -d 'CSV/TSV input has no header row'
complete -c sea -n '__sea_streamer_using produce' -l tsv-escapes -d 'TSV: read \\t \\n \\r \\\\ escapes'
complete -c sea -n '__sea_streamer_using produce' -l to -x -a 'json' -d 'msgpack: store as json'
complete -c sea -n '__sea_streamer_using produce' -l max-message-bytes -x -d 'Largest frame accepted (k, M, G)'
complete -c sea -n '__sea_streamer_using produce' -l on-error -x -a 'fail skip dead-letter:' -d 'Bad input: fail, skip or dead-letter:URI/KEY'
complete -c sea -n '__sea_streamer_using produce' -l delivery -x -a 'at-most-once at-least-once exactly-once' -d 'Delivery guarantee'
complete -c sea -n '__sea_streamer_using produce' -s p -l shard -x -d 'Produce to this shard'
complete -c sea -n '__sea_streamer_using produce' -l dedupe-window -x -d 'exactly-once on Redis/file: key dedupe window'

# sea streamer consume
complete -c sea -n '__sea_streamer_using consume' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using consume' -s b -l cluster -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)'
complete -c sea -n '__sea_streamer_using consume' -s t -l topic -x -d 'Stream key (repeatable, or k1,k2)'
complete -c sea -n '__sea_streamer_using consume' -s s -l stream -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Stream address URI/KEY'
complete -c sea -n '__sea_streamer_using consume' -s X -x -a 'file.fsync=off file.fsync=batch file.fsync=always file.segment.bytes=' -d 'Backend client property key=value'
complete -c sea -n '__sea_streamer_using consume' -s F -l config -r -F -d 'Kafka client properties file (key=value lines)'
complete -c sea -n '__sea_streamer_using consume' -s v -l verbose -d 'More logging on stderr (repeatable)'
complete -c sea -n '__sea_streamer_using consume' -s q -l quiet -d 'Only errors on stderr'
complete -c sea -n '__sea_streamer_using consume' -s o -l from -x -a 'earliest latest seq: time:' -d 'Start: earliest, latest, seq:N, seq:SHARD:N, time:ISO8601|-5m'
complete -c sea -n '__sea_streamer_using consume' -s G -l group -x -d 'Consumer group'
complete -c sea -n '__sea_streamer_using consume' -l mode -x -a 'latest repeat exactly-once' -d 'Consumer mode'
complete -c sea -n '__sea_streamer_using consume' -s e -l exit -d 'Exit at the end of the stream'
complete -c sea -n '__sea_streamer_using consume' -s c -l count -x -d 'Exit after this many messages'
complete -c sea -n '__sea_streamer_using consume' -l shards -x -d 'Read only these shards'
complete -c sea -n '__sea_streamer_using consume' -l format -x -a 'raw ndjson lines csv tsv msgpack binary' -d 'Output framing'
complete -c sea -n '__sea_streamer_using consume' -s J -l envelope -d 'NDJSON envelopes'
complete -c sea -n '__sea_streamer_using consume' -s f -l format-string -x -d 'kcat-style format: %t %p %o %T %k %K %s %S %h'
complete -c sea -n '__sea_streamer_using consume' -l output-delimiter -x -d 'CSV output delimiter'
complete -c sea -n '__sea_streamer_using consume' -l no-output-header -d 'CSV/TSV output without a header row'

# sea streamer decode
complete -c sea -n '__sea_streamer_using decode' -F
complete -c sea -n '__sea_streamer_using decode' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using decode' -s b -l cluster -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Cluster URI (default: $SEA_STREAMER_URI, else file://./sea-streams)'
complete -c sea -n '__sea_streamer_using decode' -s t -l topic -x -d 'Stream key (repeatable, or k1,k2)'
complete -c sea -n '__sea_streamer_using decode' -s s -l stream -x -a 'file:// redis:// redis-cluster:// kafka:// stdio://' -d 'Stream address URI/KEY'
complete -c sea -n '__sea_streamer_using decode' -s X -x -a 'file.fsync=off file.fsync=batch file.fsync=always file.segment.bytes=' -d 'Backend client property key=value'
complete -c sea -n '__sea_streamer_using decode' -s F -l config -r -F -d 'Kafka client properties file (key=value lines)'
complete -c sea -n '__sea_streamer_using decode' -s v -l verbose -d 'More logging on stderr (repeatable)'
complete -c sea -n '__sea_streamer_using decode' -s q -l quiet -d 'Only errors on stderr'
complete -c sea -n '__sea_streamer_using decode' -l format -x -a 'raw ndjson lines csv tsv msgpack binary' -d 'Output framing'
complete -c sea -n '__sea_streamer_using decode' -s J -l envelope -d 'NDJSON envelopes'
complete -c sea -n '__sea_streamer_using decode' -s f -l format-string -x -d 'kcat-style format: %t %p %o %T %k %K %s %S %h'
complete -c sea -n '__sea_streamer_using decode' -l output-delimiter -x -d 'CSV output delimiter'
complete -c sea -n '__sea_streamer_using decode' -l no-output-header -d 'CSV/TSV output without a header row'
complete -c sea -n '__sea_streamer_using decode' -l segments -d 'Print the segment summary instead of the messages'
complete -c sea -n '__sea_streamer_using decode' -l json -d 'With --segments: a JSON array'

# sea streamer mock-kafka
complete -c sea -n '__sea_streamer_using mock-kafka' -s h -l help -d 'Print help and exit'
complete -c sea -n '__sea_streamer_using mock-kafka' -l brokers -x -d 'Number of brokers (default 3)'
complete -c sea -n '__sea_streamer_using mock-kafka' -l port -x -d 'Not supported: the mock picks its ports'
complete -c sea -n '__sea_streamer_using mock-kafka' -l topic -x -d 'Create a topic first, as NAME:PARTITIONS (repeatable)'
