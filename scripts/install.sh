#!/usr/bin/env bash
# `make install` and `make uninstall`: puts ksmscope on a host the way Linux tools are installed.
#
#   bash scripts/install.sh install     # builds, then installs under $DESTDIR$PREFIX
#   bash scripts/install.sh uninstall   # removes what install puts there
#
# PREFIX (default /usr/local) and DESTDIR (a staging root, default none) as in every Makefile;
# CONFIGURATION is the Swift build configuration, release unless the test script asks for its
# debug build (scripts/check-install.sh). Installed:
#   bin/ksmscope                                       the executable
#   share/man/man1/ksmscope.1, ksmscope-COMMAND.1      one page per subcommand, from swift-argument-parser's
#                                                      generate-manual plugin (the same texts as --help)
#   share/bash-completion/completions/ksmscope         completions from --generate-completion-script
#   share/zsh/site-functions/_ksmscope
#   share/fish/vendor_completions.d/ksmscope.fish
# Subcommands are found by the plugin in the built executable: a new one gets its page unasked.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:-}
prefix=${PREFIX:-/usr/local}
destdir=${DESTDIR:-}
configuration=${CONFIGURATION:-release}
bindir=$destdir$prefix/bin
mandir=$destdir$prefix/share/man/man1
bashdir=$destdir$prefix/share/bash-completion/completions
zshdir=$destdir$prefix/share/zsh/site-functions
fishdir=$destdir$prefix/share/fish/vendor_completions.d

case "$action" in
install)
    bash scripts/deps.sh
    if [[ "$configuration" == release ]]; then
        binary=$(bash scripts/release-build.sh)
    else
        swift build -c "$configuration" --product ksmscope
        binary=$(swift build -c "$configuration" --show-bin-path)/ksmscope
    fi

    # The plugin writes ksmscope.1 and ksmscope.SUBCOMMAND.1 here; old pages must not linger.
    pages=.build/plugins/GenerateManual/outputs/ksmscope
    rm -rf "$pages"
    date_options=()
    commit_date=$(git log -1 --format=%cs 2>/dev/null || true)
    [ -n "$commit_date" ] && date_options=(--date "$commit_date")
    swift package plugin generate-manual --configuration "$configuration" --multi-page "${date_options[@]}" >&2

    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    for page in "$pages"/ksmscope*.1; do
        name=$(basename "$page" .1)
        # `ksmscope help` is argument-parser's own command, not one of ksmscope's.
        [ "$name" = ksmscope.help ] && continue
        # man ksmscope-scan, as git's and systemd's pages are named; the generator's empty
        # lines between paragraphs become mdoc paragraph breaks (groff warns about empty lines).
        sed -e 's/^\(\.Dt [A-Z]*\)\./\1-/' \
            -e '/^\.Xr ksmscope\.help 1/d' \
            -e 's/^\(\.Xr ksmscope\)\./\1-/' \
            -e 's/^$/.Pp/' \
            "$page" >"$staging/${name/./-}.1"
        echo >>"$staging/${name/./-}.1"
    done
    "$binary" --generate-completion-script bash >"$staging/bash"
    "$binary" --generate-completion-script zsh >"$staging/zsh"
    "$binary" --generate-completion-script fish >"$staging/fish"

    install -d "$bindir" "$mandir" "$bashdir" "$zshdir" "$fishdir"
    install -m 0755 "$binary" "$bindir/ksmscope"
    install -m 0644 "$staging"/ksmscope*.1 "$mandir/"
    install -m 0644 "$staging/bash" "$bashdir/ksmscope"
    install -m 0644 "$staging/zsh" "$zshdir/_ksmscope"
    install -m 0644 "$staging/fish" "$fishdir/ksmscope.fish"
    echo "ksmscope: installed $bindir/ksmscope, $(ls "$staging"/ksmscope*.1 | wc -l) man pages in $mandir, completions for bash, zsh and fish" >&2
    ;;
uninstall)
    # Every page install may have put there, also those of subcommands a later version dropped.
    shopt -s nullglob
    files=("$bindir/ksmscope" "$mandir/ksmscope.1" "$mandir"/ksmscope-*.1 "$bashdir/ksmscope" "$zshdir/_ksmscope"
        "$fishdir/ksmscope.fish")
    removed=0
    for file in "${files[@]}"; do
        if [ -e "$file" ] || [ -L "$file" ]; then
            rm -f "$file"
            removed=$((removed + 1))
        fi
    done
    echo "ksmscope: removed $removed file(s) under $destdir$prefix" >&2
    ;;
*)
    echo "usage: bash scripts/install.sh install|uninstall  (PREFIX, DESTDIR as for make install)" >&2
    exit 64
    ;;
esac
