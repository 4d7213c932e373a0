" vNetTracer trace scripts and libraries.
autocmd BufRead,BufNewFile *.vnt setfiletype vnt
