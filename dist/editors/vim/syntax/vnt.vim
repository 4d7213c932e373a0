" Vim syntax file for vNetTracer trace scripts (.vnt); see vnt-lang(7).
" Install: copy syntax/ and ftdetect/ into ~/.vim (or a pack/*/start/vnt/).
" tests/editors/syntax.t checks that every keyword and filter primitive of
" lang/lexer.l, every attach form, aggregation and key, and every hop and
" filter of stdlib/ is highlighted here; add new ones to the lists below.
if exists("b:current_syntax")
  finish
endif

syn case match

" Statements and their clauses.
syn keyword vntStatement import as filter hop trace where by at
syn keyword vntStatement every for sample events if
" Boolean operators of filters (&&, ||, ! too).
syn keyword vntOperator and or not
syn match vntOperator "&&\|||\|!=\@!"
" tcpdump's filter primitives.
syn keyword vntPrimitive host mask port portrange proto src dst ip
syn keyword vntPrimitive ip6 arp udp icmp6 sctp vni
syn keyword vntPrimitive len less greater inner outer
" Some words are matches, not keywords (a keyword wins over every match that
" starts where it does): net, vxlan, xdp and kprobe are also standard library
" modules (net.dev_xmit), so not when a '.' follows; tcp and icmp begin the
" flag names (tcp-syn), so not when a '-' follows.
syn match vntPrimitive "\<net\>\.\@!"
syn match vntPrimitive "\<vxlan\>\.\@!"
syn match vntPrimitive "\<tcp\>-\@!"
syn match vntPrimitive "\<icmp\>-\@!"
" Context predicates: the hop's kernel context.
syn keyword vntContext dev ifindex netns cpu pid comm mark
" Named constants: header fields and flag values.
syn keyword vntConstant true tcpflags icmptype icmpcode icmp6type icmp6code
syn match vntConstant "\<tcp-fin\>"
syn match vntConstant "\<tcp-syn\>"
syn match vntConstant "\<tcp-rst\>"
syn match vntConstant "\<tcp-push\>"
syn match vntConstant "\<tcp-ack\>"
syn match vntConstant "\<tcp-urg\>"
syn match vntConstant "\<tcp-ece\>"
syn match vntConstant "\<tcp-cwr\>"
syn match vntConstant "\<icmp-echoreply\>"
syn match vntConstant "\<icmp-unreach\>"
syn match vntConstant "\<icmp-sourcequench\>"
syn match vntConstant "\<icmp-redirect\>"
syn match vntConstant "\<icmp-echo\>"
syn match vntConstant "\<icmp-routeradvert\>"
syn match vntConstant "\<icmp-routersolicit\>"
syn match vntConstant "\<icmp-timxceed\>"
syn match vntConstant "\<icmp-paramprob\>"
syn match vntConstant "\<icmp-tstamp\>"
syn match vntConstant "\<icmp-tstampreply\>"
syn match vntConstant "\<icmp-ireq\>"
syn match vntConstant "\<icmp-ireqreply\>"
syn match vntConstant "\<icmp-maskreq\>"
syn match vntConstant "\<icmp-maskreply\>"
" Raw attach forms of hop definitions (compiler/hops/*.c).
syn keyword vntForm tp_btf tracepoint raw_tp tc_ingress tc_egress fentry uprobe
syn match vntForm "\<xdp\>\.\@!"
syn match vntForm "\<kprobe\>\.\@!"
" Aggregations and latency pairs.
syn keyword vntFunction count sum min max avg hist lhist percentiles top latency
syn keyword vntFunction breakdown
" Keys of `by` (those that are not keywords already).
syn keyword vntKey flow saddr daddr sport dport reason location

" Hop points and filters of the standard library (stdlib/*.vnt), then any
" MODULE.NAME (a team library's).
syn match vntHopRef "\<\h\w*\.\h\w*\>"
syn match vntStdlib "\<bridge\.\(port_in\|port_out\|port_queue\|fdb_update\|fdb_add\|fdb_delete\|flood\)\>"
syn match vntStdlib "\<kprobe\.\(dev_hard_start_xmit\|netif_receive_core\|ovs_vport_receive\|vhost_tun_sendmsg\)\>"
syn match vntStdlib "\<net\.\(dev_xmit\|dev_queue\|dev_xmit_done\|netif_receive\|netif_rx\|gro_receive\|receive_entry\)\>"
syn match vntStdlib "\<nic\.\(gro\|rx\|receive\|xmit\|xdp_rx\)\>"
syn match vntStdlib "\<ovs\.\(vport_receive\|process\|vport_send\)\>"
syn match vntStdlib "\<qdisc\.\(enqueue\|dequeue\)\>"
syn match vntStdlib "\<sched\.\(wakeup\|run\)\>"
syn match vntStdlib "\<skb\.\(drop\|consume\|copy_to_user\)\>"
syn match vntStdlib "\<sock\.\(deliver\|rcvqueue_full\|udp_queue_fail\|tcp_retransmit\)\>"
syn match vntStdlib "\<tc\.\(ingress\|egress\)\>"
syn match vntStdlib "\<tun\.\(from_guest\|receive\|to_guest\|vhost_send\|vhost_recv\)\>"
syn match vntStdlib "\<veth\.\(xmit\|peer_rx\|receive\)\>"
syn match vntStdlib "\<virtio\.\(guest_xmit\|guest_poll\|vhost_tx\|vhost_rx\|user\)\>"
syn match vntStdlib "\<vxlan\.\(encap\|underlay_out\|underlay_in\|decap\|overlay\)\>"
syn match vntStdlib "\<xdp\.\(rx\)\>"

syn match vntNumber "\<\d\+\>"
syn match vntNumber "\<0[xX]\x\+\>"
syn match vntDuration "\<\d\+\(ns\|us\|ms\|s\|m\|h\)\>"
syn match vntAddress "\<\d\{1,3}\(\.\d\{1,3}\)\{3}\(/\d\{1,2}\)\=\>"
syn match vntAddress "\<\x\{0,4}\(:\x\{0,4}\)\{2,7}\(/\d\{1,3}\)\="
syn region vntString start=+"+ skip=+\\.+ end=+"+ oneline
syn keyword vntTodo contained TODO FIXME XXX NOTE
syn match vntComment "#.*$" contains=vntTodo

hi def link vntStatement Statement
hi def link vntOperator Operator
hi def link vntPrimitive Type
hi def link vntContext Identifier
hi def link vntConstant Constant
hi def link vntForm Function
hi def link vntFunction Function
hi def link vntKey Identifier
hi def link vntStdlib Special
hi def link vntHopRef Identifier
hi def link vntNumber Number
hi def link vntDuration Number
hi def link vntAddress Number
hi def link vntString String
hi def link vntTodo Todo
hi def link vntComment Comment

let b:current_syntax = "vnt"
