#!/usr/bin/env bash
# Proves `make install` and `make uninstall`: installs into a temporary DESTDIR, checks the
# binary, one man page per subcommand the binary lists (each rendered by `man -l` without a
# warning, and found by name as `man ksmscope-scan` finds it), the bash completion (run as bash
# runs it) and the zsh and fish scripts; then uninstalls and checks that no file is left.
#
# CONFIGURATION (default release) is the build installed; scripts/test.sh passes debug to reuse
# the build it has just made instead of building everything again with optimization.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh man-db

fail() {
    echo "check-install: $*" >&2
    exit 1
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
prefix=/usr/local
root=$stage$prefix
make --no-print-directory install DESTDIR="$stage" PREFIX="$prefix" >/dev/null

binary=$root/bin/ksmscope
[ -x "$binary" ] || fail "$binary missing or not executable"
cmp -s "$binary" "$(swift build -c "${CONFIGURATION:-release}" --show-bin-path)/ksmscope" ||
    fail "$binary differs from the build"
"$binary" --version >/dev/null || fail "$binary --version failed"

# The subcommands, as the binary's own help lists them (no list kept here).
subcommands=$("$binary" --help | sed -n '/^SUBCOMMANDS:/,$p' | sed -n 's/^  \([a-z][a-z0-9-]*\)\( .*\)\{0,1\}$/\1/p')
[ -n "$subcommands" ] || fail "no subcommands in ksmscope --help"

mandir=$root/share/man/man1
expected_pages=("ksmscope.1")
for command in $subcommands; do expected_pages+=("ksmscope-$command.1"); done
for page in "${expected_pages[@]}"; do
    [ -f "$mandir/$page" ] || fail "man page $mandir/$page missing"
    name=${page%.1}
    # man -l renders the file as `man` would; groff's warnings go to stderr. "can't break line"
    # only says that one word (a long option with its value name) overflows 80 columns.
    rendered=$(MANWIDTH=80 man -l "$mandir/$page" 2>"$stage/man.err") || fail "man -l $page failed"
    warnings=$(grep -v "can't break line" "$stage/man.err" || true)
    [ -z "$warnings" ] || fail "man -l $page warned: $warnings"
    grep -q "^NAME" <<<"$rendered" || fail "$page has no NAME section"
    title=${name/-/ }
    grep -q "$title" <<<"$rendered" || fail "$page does not name '$title'"
    found=$(man -M "$root/share/man" -w "$name") || fail "man cannot find $name under $root/share/man"
    [ "$found" = "$mandir/$page" ] || fail "man -w $name gave $found"
done
for page in "$mandir"/*; do
    [[ " ${expected_pages[*]} " == *" $(basename "$page") "* ]] || fail "unexpected man page $page"
done
grep -q "^SEE ALSO" <<<"$(MANWIDTH=80 man -l "$mandir/ksmscope.1")" || fail "ksmscope.1 lists no subcommand pages"
for command in $subcommands; do
    man -l "$mandir/ksmscope.1" | grep -q "ksmscope-$command(1)" || fail "ksmscope.1 does not refer to ksmscope-$command(1)"
done

# bash: load the completion as bash-completion does, then complete `ksmscope <TAB>`.
bash_completion=$root/share/bash-completion/completions/ksmscope
[ -f "$bash_completion" ] || fail "$bash_completion missing"
offered=$(
    bash -c 'shopt -s extglob; source "$1" || exit 1; COMP_LINE="ksmscope "; COMP_POINT=${#COMP_LINE}
        COMP_WORDS=(ksmscope ""); COMP_CWORD=1; _ksmscope ksmscope "" ksmscope; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$bash_completion"
) || fail "bash completion failed to load"
for command in $subcommands; do
    grep -qx "$command" <<<"$offered" || fail "bash completion does not offer '$command' (offered: $(echo $offered))"
done
zsh_completion=$root/share/zsh/site-functions/_ksmscope
fish_completion=$root/share/fish/vendor_completions.d/ksmscope.fish
[ "$(head -1 "$zsh_completion")" = "#compdef ksmscope" ] || fail "$zsh_completion is not a zsh completion for ksmscope"
grep -q "^complete -c 'ksmscope'\|^complete -c ksmscope" "$fish_completion" || fail "$fish_completion completes no ksmscope"
for command in $subcommands; do
    grep -q "$command" "$zsh_completion" || fail "$zsh_completion lacks $command"
    grep -q "$command" "$fish_completion" || fail "$fish_completion lacks $command"
done
if command -v zsh >/dev/null; then zsh -n "$zsh_completion" || fail "$zsh_completion: zsh syntax error"; fi
if command -v fish >/dev/null; then fish -n "$fish_completion" || fail "$fish_completion: fish syntax error"; fi

make --no-print-directory uninstall DESTDIR="$stage" PREFIX="$prefix" >/dev/null
left=$(find "$stage" ! -type d ! -name man.err)
[ -z "$left" ] || fail "uninstall left: $left"
echo "check-install: make install put ksmscope, $((${#expected_pages[@]})) man pages and 3 completions under DESTDIR; make uninstall removed them"
