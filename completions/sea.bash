# bash completion for sea (SeaStreamer): `sea streamer SUBCOMMAND` and every option of each,
# with values where the set is known, file names for the PATH of flux, tap and decode, and
# directories for the controller log of replay.
# Installed as share/bash-completion/completions/sea; source it by hand to try it.
# scripts/check-docs reads the `SUB)` branches of _sea_streamer_options: each must list every
# option of `sea streamer SUB --help`, long and short.

_sea_streamer_subcommands="flux tap produce consume seek relay process replay admin decode mock-kafka top"

# The options of each subcommand, as `sea streamer SUB --help` lists them.
_sea_streamer_options() {
    case "$1" in
        flux)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  --format --key --delimiter --quote --no-header --tsv-escapes --to --max-message-bytes
                  --on-error --delivery -p --shard --dedupe-window
                  -k --fixed-key -H --header -K --key-delimiter -J --envelope --keep-shard" ;;
        produce)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  --format --key --delimiter --quote --no-header --tsv-escapes --to --max-message-bytes
                  --on-error --delivery -p --shard --dedupe-window
                  -k --fixed-key -H --header -K --key-delimiter -J --envelope --keep-shard" ;;
        tap)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  -o --from -G --group --mode -e --exit -c --count --shards
                  --format -J --envelope -f --format-string --output-delimiter --no-output-header --crlf" ;;
        consume)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  -o --from -G --group --mode -e --exit -c --count --shards
                  --format -J --envelope -f --format-string --output-delimiter --no-output-header --crlf" ;;
        decode)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  --format -J --envelope -f --format-string --output-delimiter --no-output-header --crlf
                  --segments --json" ;;
        top)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  -i --interval --stale --filter --max-streams -G --group --once --json" ;;
        mock-kafka)
            echo "-h --help --brokers --port --topic" ;;
        seek)
            echo "-h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  -T --time -S --seq -p --shard -G --group --commit -e --exit -c --count --json
                  --format -J --envelope -f --format-string --output-delimiter --no-output-header --crlf" ;;
        relay)
            echo "-h --help -i --input -O --output -X --input-X --output-X -v --verbose -q --quiet
                  -o --from -G --group --mode -e --exit -c --count --shards
                  --delivery -p --shard --dedupe-window --max-message-bytes --restamp --progress --txn-batch --txn-interval" ;;
        process)
            echo "-h --help -i --input -O --output -x --exec --name --format -J --envelope -X -v --verbose -q --quiet
                  -o --from -G --group --mode -e --exit -c --count --shards
                  --delivery -p --shard --dedupe-window --max-message-bytes
                  --commit-interval --commit-every --max-restarts --poison --dead-letter --grace --log
                  --deterministic --no-line-buffer" ;;
        replay)
            echo "-h --help -l --list -x --exec --from --to -O --output -v --verbose -q --quiet" ;;
        admin)
            echo "list describe create delete trim retention
                  -h --help -b --cluster -t --topic -s --stream -X -F --config -v --verbose -q --quiet
                  --json --shards --if-not-exists --max-age --max-bytes --before-time --before-seq
                  --keep-bytes -y --yes" ;;
    esac
}

# Options that take a value: the word after them is that value, not an option or a PATH.
_sea_streamer_takes_value() {
    case "$1" in
        -b | --cluster | -t | --topic | -s | --stream | -X | --format | --key | --delimiter | --quote | \
        --to | --max-message-bytes | --on-error | --delivery | -p | --shard | --dedupe-window | \
        -o | --from | -G | --group | --mode | -c | --count | --shards | -f | --format-string | \
        --output-delimiter | --brokers | --port | -T | --time | -S | --seq | -i | --input | -O | --output | \
        --input-X | --output-X | --max-age | --max-bytes | --before-time | --before-seq | --keep-bytes | \
        --txn-batch | --txn-interval | -x | --exec | --name | --commit-interval | --commit-every | \
        --max-restarts | --poison | --dead-letter | --grace | --log)
            return 0 ;;
    esac
    return 1
}

# The known values of option $2 of subcommand $1 (nothing when the set is open).
_sea_streamer_values() {
    case "$2" in
        --format)
            case "$1" in
                flux | produce | process) echo "ndjson lines csv tsv msgpack binary" ;;
                *) echo "raw ndjson lines csv tsv msgpack binary" ;;
            esac ;;
        --on-error) echo "fail skip dead-letter:" ;;
        --delivery) echo "at-most-once at-least-once exactly-once" ;;
        --mode) echo "latest repeat exactly-once" ;;
        -o | --from)
            # replay's --from is a feed number (an open set).
            [[ $1 == replay ]] || echo "earliest latest seq: time:" ;;
        -b | --cluster | -s | --stream | -i | --input | -O | --output | --dead-letter)
            # top's -i is --interval.
            [[ $1 == top && $2 == -i ]] || echo "file:// redis:// redis-cluster:// kafka:// stdio://" ;;
        --to) [[ $1 == replay ]] || echo "json" ;;
        -X) echo "file.segment.bytes= file.fsync=off file.fsync=batch file.fsync=always" ;;
    esac
}

_sea() {
    local words=() cword cur prev
    # 1. The words of the line, split on blanks only: bash's own split (COMP_WORDBREAKS) cuts
    # "--on-error=dead-letter:redis://h:6379/bad" at every '=' and ':'.
    if [[ -n ${COMP_LINE-} ]]; then
        local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
        read -ra words <<<"$line"
        if [[ -z $line || $line == *[[:space:]] ]]; then
            words+=("")
        fi
    else
        words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
    fi
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}
    prev=""
    ((cword > 0)) && prev=${words[cword - 1]}

    # 2. Before the subcommand: `sea` and `sea streamer`.
    local candidates=() nospace=0 filenames=0
    if ((cword == 1)); then
        candidates=($(compgen -W "streamer -h --help --version" -- "$cur"))
    elif [[ ${words[1]} != streamer ]]; then
        return 0
    elif ((cword == 2)); then
        candidates=($(compgen -W "$_sea_streamer_subcommands -h --help" -- "$cur"))
    else
        # 3. After it: an option's value, an option, or the PATH.
        local sub=${words[2]}
        local option="" prefix=""
        if [[ $cur == --*=* ]]; then
            option=${cur%%=*}
            prefix="$option="
        elif _sea_streamer_takes_value "$prev"; then
            option=$prev
        fi
        if [[ $option == --log && -z $prefix ]]; then
            # process --log PATH: the controller log's directory.
            filenames=1
            mapfile -t candidates < <(compgen -d -- "$cur")
        elif [[ -n $option ]]; then
            local value=${cur#"$prefix"}
            local v
            for v in $(compgen -W "$(_sea_streamer_values "$sub" "$option")" -- "$value"); do
                candidates+=("$prefix$v")
            done
        elif [[ $cur == -* ]]; then
            candidates=($(compgen -W "$(_sea_streamer_options "$sub")" -- "$cur"))
        else
            case "$sub" in
                flux | tap | decode)
                    filenames=1
                    mapfile -t candidates < <(compgen -f -- "$cur") ;;
                replay)
                    # The controller log is a directory (process --log PATH).
                    filenames=1
                    mapfile -t candidates < <(compgen -d -- "$cur") ;;
                admin)
                    # The action comes first; after it, stream keys (an open set).
                    local w have_action=0
                    for w in "${words[@]:3:cword-3}"; do
                        case "$w" in list | describe | create | delete | trim | retention) have_action=1 ;; esac
                    done
                    ((have_action)) || candidates=($(compgen -W "list describe create delete trim retention" -- "$cur")) ;;
            esac
        fi
    fi

    # 4. Readline replaces only the text after the last word-break character of the word
    # (COMP_WORDBREAKS holds '=' and ':'), so each candidate drops what comes before it.
    if [[ -n ${COMP_LINE-} ]]; then
        local i cut=0
        for ((i = ${#cur} - 1; i >= 0; i--)); do
            if [[ ${COMP_WORDBREAKS-} == *"${cur:i:1}"* ]]; then
                cut=$((i + 1))
                break
            fi
        done
        if ((cut > 0)); then
            for i in "${!candidates[@]}"; do
                candidates[i]=${candidates[i]:cut}
            done
        fi
    fi
    local c
    for c in "${candidates[@]}"; do
        [[ $c == *[:=/] ]] && nospace=1
    done
    ((nospace)) && compopt -o nospace 2>/dev/null
    ((filenames)) && compopt -o filenames 2>/dev/null
    COMPREPLY=("${candidates[@]}")
    return 0
}

complete -F _sea sea
