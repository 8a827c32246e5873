# Sourced by docker/build.sh and docker/run.sh (POSIX sh): build one command line word by word,
# then run it or, for --dry-run, print it shell-quoted so it can be pasted.
# shellcheck shell=sh

CMD=

# quote WORD: WORD as the shell would need it typed.
quote() {
    case $1 in
        '' | *[!A-Za-z0-9_./:=@%+,-]*)
            printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *)
            printf '%s' "$1" ;;
    esac
}

# append WORD...: add words to CMD.
append() {
    for word in "$@"; do
        CMD="$CMD${CMD:+ }$(quote "$word")"
    done
}

# run_command DRY_RUN: print CMD (DRY_RUN=1) or replace this shell with it.
run_command() {
    if [ "$1" = 1 ]; then
        printf '%s\n' "$CMD"
        return 0
    fi
    eval "set -- $CMD"
    exec "$@"
}
