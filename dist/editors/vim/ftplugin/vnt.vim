" vnt scripts: '#' comments, and :VntFmt to lay the buffer out with
" `vnt fmt -` (vnt(1)). The buffer changes only if vnt fmt succeeds; on a
" syntax error its message is shown (<stdin>:LINE:COL) and nothing moves.
" Set g:vnt_fmt_on_save to 1 to run it before every write.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s comments=:#
setlocal expandtab shiftwidth=4 softtabstop=4
let b:undo_ftplugin = 'setlocal commentstring< comments< expandtab< shiftwidth< softtabstop<'

command! -buffer -bar VntFmt call s:VntFmt()

if !exists('*s:VntFmt')
  function! s:VntFmt() abort
    let l:out = systemlist(get(g:, 'vnt_fmt_command', 'vnt fmt -'), getline(1, '$'))
    if v:shell_error
      echohl ErrorMsg
      for l:line in l:out
        echomsg l:line
      endfor
      echohl None
      return
    endif
    if l:out ==# getline(1, '$')
      return
    endif
    let l:view = winsaveview()
    silent keepjumps call setline(1, l:out)
    if line('$') > len(l:out)
      silent execute 'keepjumps ' . (len(l:out) + 1) . ',$delete _'
    endif
    call winrestview(l:view)
  endfunction
endif

if get(g:, 'vnt_fmt_on_save', 0)
  augroup vnt_fmt
    autocmd! * <buffer>
    autocmd BufWritePre <buffer> VntFmt
  augroup END
endif
