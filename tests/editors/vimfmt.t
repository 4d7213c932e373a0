#!/usr/bin/env bash
# :VntFmt of dist/editors/vim/ftplugin/vnt.vim, in vim itself (no vimrc):
# the messy script of tests/fmt becomes its golden layout; a buffer with a
# syntax error stays as it was and vim shows vnt fmt's message; with
# g:vnt_fmt_on_save, writing the buffer formats it. Without root.
set -u
top=${VNT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
vnt=${VNT:-$top/vnt}
cd "$top" || exit 1
if ! command -v vim >/dev/null; then
	echo "skip editors-fmt: vim is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/bin" && ln -s "$vnt" "$tmp/bin/vnt"
export PATH=$tmp/bin:$PATH
vimrun() {   # vimrun FILE EX-COMMANDS...
	local f=$1 args=()
	shift
	for c in "$@"; do args+=(-c "$c"); done
	timeout 30 vim -N -u NONE -i NONE -n -es --cmd "set runtimepath^=$top/dist/editors/vim" \
		--cmd 'filetype plugin on' "${args[@]}" "$f" </dev/null >/dev/null 2>&1
}
want=tests/fmt/cases/messy.want

cp tests/fmt/cases/messy.vnt "$tmp/a.vnt"
vimrun "$tmp/a.vnt" 'VntFmt' 'wq'
if cmp -s "$tmp/a.vnt" "$want"; then
	echo "ok editors-fmt: :VntFmt lays the buffer out as vnt fmt does"
else
	echo "not ok editors-fmt: the buffer after :VntFmt differs from $want"
fi

printf 'trace t {\n    count() by\n}\n' >"$tmp/b.vnt"
cp "$tmp/b.vnt" "$tmp/b.orig"
vimrun "$tmp/b.vnt" "redir! > $tmp/msgs" 'VntFmt' 'redir END' 'wq'
if cmp -s "$tmp/b.vnt" "$tmp/b.orig" && grep -q '<stdin>:2:15: error: syntax error' "$tmp/msgs"; then
	echo "ok editors-fmt-error: a syntax error leaves the buffer as it was, its message shown"
else
	echo "not ok editors-fmt-error: buffer changed or no message: $(head -3 "$tmp/msgs" 2>/dev/null)"
fi

cp tests/fmt/cases/messy.vnt "$tmp/c.vnt"
timeout 30 vim -N -u NONE -i NONE -n -es --cmd "set runtimepath^=$top/dist/editors/vim" \
	--cmd 'let g:vnt_fmt_on_save = 1' --cmd 'filetype plugin on' -c 'wq' "$tmp/c.vnt" </dev/null >/dev/null 2>&1
if cmp -s "$tmp/c.vnt" "$want"; then
	echo "ok editors-fmt-on-save: g:vnt_fmt_on_save formats the buffer when it is written"
else
	echo "not ok editors-fmt-on-save: the written file differs from $want"
fi
