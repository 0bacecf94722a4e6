#!/bin/sh
# Writes ptk(1) to stdout: docs/ptk.1.in with @VERSION@, @HELP@ (the text of
# `ptk --help`) and @COMMANDS@ (one subsection per command listed there, with
# the text of `ptk COMMAND --help`) filled in. Help text goes in verbatim
# (no-fill), escaped for roff, so the page and --help cannot drift.
# Usage: docs/mkman.sh PTK_BINARY TEMPLATE
set -eu
ptk=$1
tmpl=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# roff-escape: backslashes, and a leading . or ' that would start a request.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
verbatim() { printf '.nf\n'; esc; printf '.fi\n'; }

"$ptk" --help >"$tmp/help"
version=$("$ptk" --version | sed 's/^ptk //')
verbatim <"$tmp/help" >"$tmp/help.roff"
# Command names: the indented first words of the "commands:" block.
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$tmp/help")
[ -n "$cmds" ] || { echo "mkman.sh: no commands in '$ptk --help'" >&2; exit 1; }
: >"$tmp/cmds.roff"
for c in $cmds; do
  printf '.SS "ptk %s"\n' "$c" >>"$tmp/cmds.roff"
  "$ptk" "$c" --help | verbatim >>"$tmp/cmds.roff"
done
while IFS= read -r line; do
  case $line in
    @HELP@) cat "$tmp/help.roff" ;;
    @COMMANDS@) cat "$tmp/cmds.roff" ;;
    *) printf '%s\n' "$line" | sed "s/@VERSION@/$version/g" ;;
  esac
done <"$tmpl"
