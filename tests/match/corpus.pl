#!/usr/bin/perl
# tests/match/corpus.pl OUT DESC: write the capture corpus tests/match/run.t
# holds vnt's filters to tcpdump's on, generated, so the comparison runs on
# every checkout (the tcpdump test captures in ../shared/pcaps are an extra
# where they exist).
#
# Deterministic: a fixed seed and our own xorshift generator, so every run
# and every perl writes the same bytes. OUT is a classic pcap file whose
# record timestamps are the records' positions (1, 2, ..., as pcap.pl merge
# writes them); DESC gets one "POSITION DESCRIPTION" line per frame, for
# the test's messages.
#
# What it holds (counts are printed on stderr):
#   - Ethernet frames of IPv4 (with and without options, fragments first
#     and later, DF, MF, TTL 0), IPv6 (hop-by-hop, routing, fragment and
#     destination options headers, up to three in a row), ARP and RARP,
#     and other ethertypes (802.3 lengths, LLDP, MPLS, PPPoE);
#     TCP with the flag combinations and data offsets filters test, UDP,
#     ICMP and ICMPv6 types, SCTP, GRE, IP-in-IP, OSPF, IGMP, ...;
#     addresses, ports and lengths drawn from the values tests/match/filters
#     names and from around them, so each filter selects some and not all;
#   - one or two VLAN tags (0x8100, 0x88a8, 0x9100) in front of some;
#   - VXLAN: UDP to port 4789 over IPv4 or IPv6 with and without the I flag
#     (RFC 7348), other flag bytes, inner IPv4, IPv6, ARP and tagged frames,
#     and UDP from port 4789 or to 4790 (not VXLAN);
#   - truncated frames: a set of typical frames cut at every byte of their
#     headers, and many more cut at or around a header boundary (the
#     original length kept, as a short snap length leaves it);
#   - malformed frames: IPv4 header lengths below 5 or past the frame,
#     total lengths short or long, a wrong version, IPv6 payload lengths
#     past the frame, extension headers running past it, TCP data offsets
#     below 5, UDP lengths below 8, ARP with odd address lengths.
use strict;
use warnings;

my ($out, $descf) = @ARGV;
die "usage: corpus.pl OUT DESC\n" unless defined $descf;

# ---- randomness: xorshift32, the same on every perl ----
my $seed = 0x766e7431;                  # "vnt1"
sub rnd {                               # uniform in [0, n)
	$seed ^= ($seed << 13) & 0xffffffff;
	$seed ^= $seed >> 17;
	$seed ^= ($seed << 5) & 0xffffffff;
	return $seed % $_[0];
}
sub pick { return $_[rnd(scalar @_)]; }
sub chance { return rnd(1000) < $_[0] * 1000; }
# one of a list of [weight, value] pairs
sub wpick {
	my $tot = 0;
	$tot += $_->[0] for @_;
	my $r = rnd($tot);
	for (@_) {
		return $_->[1] if $r < $_->[0];
		$r -= $_->[0];
	}
	return $_[-1][1];
}

# Payload bytes: slices of one random block (cheaper than drawing each).
my $block = join '', map { chr(rnd(256)) } 1 .. 4096;
sub bytes {
	my ($n) = @_;
	my $s = '';
	while (length $s < $n) {
		my $k = $n - length $s;
		$k = 2048 if $k > 2048;
		$s .= substr($block, rnd(2048), $k);
	}
	return $s;
}
# (the named lengths make IPv4 total lengths of 400-403 and frames of 60
# bytes behind the usual TCP and UDP headers, which filters test)
sub paylen {
	return wpick([30, 0], [30, 1 + rnd(32)], [25, 33 + rnd(170)], [15, 200 + rnd(1260)],
		[6, pick(6, 18, 360, 361, 372, 373, 986, 1000)]);
}

# ---- packets: [bytes, [header offsets], description] ----
# The offsets are where each header starts (for the truncation cuts).
sub raw { my ($b, $d) = @_; return [$b, [], $d // (length($b) ? length($b) . 'B' : '')]; }
sub wrap {
	my ($h, $in, $d) = @_;
	my $l = length $h;
	my $desc = $in->[2] eq '' ? $d : "$d / $in->[2]";
	return [$h . $in->[0], [$l, map { $_ + $l } @{$in->[1]}], $desc];
}

sub ip4a { return pack('C4', split /\./, $_[0]); }
sub ip6a {
	my ($s) = @_;
	my ($l, $r) = split /::/, $s, -1;
	my @l = $l ne '' ? split(/:/, $l) : ();
	my @r = defined $r && $r ne '' ? split(/:/, $r) : ();
	my @w = (@l, (defined $r ? ('0') x (8 - @l - @r) : ()), @r);
	return pack('n8', map { hex } @w);
}

# Values the filters name, and values near them.
my @v4 = qw(10.0.0.20 10.0.0.81 10.0.0.1 192.168.1.1 192.168.1.104 192.168.0.7
	192.168.1.200 172.16.1.51 172.16.1.52 172.31.255.254 127.0.0.1 224.0.0.2
	224.0.0.5 224.0.0.251 239.255.255.250 255.255.255.255 0.0.0.0 8.8.8.8);
my @v6 = qw(fe80::e091:f5ff:fecc:7abd fe80::8d84:d538:a212:c6dd ff02::12 ff02::1
	ff02::2 ff02::1:2 ff02::1:ff00:7abd ::1 :: 2001:db8::1 2001:db8:85a3::8a2e:370:7334
	fd00::1 2001:4860:4860::8888 ff05::1:3);
my @ports = (20, 21, 22, 53, 67, 68, 80, 100, 123, 150, 179, 200, 443, 520, 1023,
	1024, 1985, 4789, 4790, 6000, 6633, 6696, 6700, 7000, 8080, 9899, 0, 65535);

sub rand_v4 {
	return pick(@v4) if chance(0.4);
	return wpick(
		[3, '10.' . rnd(256) . '.' . rnd(256) . '.' . rnd(256)],
		[2, '10.0.0.' . rnd(256)],
		[2, '192.168.' . rnd(4) . '.' . rnd(256)],
		[1, '192.168.' . rnd(256) . '.' . rnd(256)],
		[2, '172.' . (14 + rnd(20)) . '.' . rnd(256) . '.' . rnd(256)],
		[1, (224 + rnd(16)) . '.' . rnd(256) . '.' . rnd(256) . '.' . rnd(256)],
		[4, join('.', map { rnd(256) } 1 .. 4)]);
}
sub rand_v6 {
	return pick(@v6) if chance(0.4);
	my @w = map { sprintf '%x', rnd(65536) } 1 .. 8;
	return wpick(
		[3, 'fe80::' . join(':', @w[4 .. 7])],
		[2, '2001:db8:' . join(':', @w[2 .. 7])],
		[1, 'ff02::' . $w[7]],
		[1, 'ff02::1:' . $w[7]],
		[1, 'ff02::1:ff' . sprintf('%02x', rnd(256)) . ':' . $w[7]],
		[3, sprintf('%x', 0x2000 + rnd(0x1000)) . ':' . join(':', @w[1 .. 7])],
		[1, 'fd00::' . $w[7]]);
}
sub rand_port { return chance(0.5) ? pick(@ports) : wpick([2, 1024 + rnd(64512)], [1, rnd(1024)], [1, rnd(65536)]); }
sub mac { return pack('H12', sprintf('02%010x', rnd(16))); }

# ---- link layer ----
sub eth {
	my ($type, $in) = @_;
	my $dst = chance(0.2) ? pack('H12', 'ffffffffffff') : mac();
	return wrap($dst . mac() . pack('n', $type), $in, sprintf('eth %04x', $type));
}
# tags: list of TPIDs, outermost first
sub tagged {
	my ($type, $in, @tpids) = @_;
	my $h = '';
	my @t = (@tpids, $type);
	for my $i (0 .. $#tpids) {
		$h .= pack('nn', rnd(4096) | (rnd(8) << 13), $t[$i + 1]);
	}
	my $dst = mac();
	my $p = wrap($h, $in, join(' ', map { sprintf 'vlan(%04x)', $_ } @tpids));
	return wrap($dst . mac() . pack('n', $tpids[0]), $p, 'eth');
}
sub rand_tags {
	return wpick([80, []],
		[6, [0x8100]], [3, [0x88a8]], [2, [0x9100]],
		[4, [0x88a8, 0x8100]], [3, [0x8100, 0x8100]], [2, [0x9100, 0x8100]]);
}
sub frame {
	my ($type, $in, $tags) = @_;
	$tags //= rand_tags();
	return @$tags ? tagged($type, $in, @$tags) : eth($type, $in);
}

# ---- network layer ----
sub ip4_opts {
	my $o = '';
	my $want = 4 * (1 + rnd(10));
	while (length $o < $want) {
		my $r = rnd(5);
		if ($r == 0) { $o .= "\x01"; }                                 # NOP
		elsif ($r == 1) { $o .= "\x94\x04\x00\x00"; }                  # router alert
		elsif ($r == 2) { my $n = 1 + rnd(3); $o .= pack('CCC', 7, 3 + 4 * $n, 4) . ("\0" x (4 * $n)); } # RR
		elsif ($r == 3) { $o .= pack('CCCC', 0x44, 12, 5, 0) . ("\0" x 8); } # timestamp
		else { $o .= "\x00"; last; }                                   # EOL
	}
	$o = substr($o, 0, 40);
	$o .= "\0" x ((4 - length($o) % 4) % 4);
	return $o;
}
# %o: src dst proto in, opts tos id ttl frag ihl len ver
sub ip4 {
	my (%o) = @_;
	my $opts = $o{opts} // '';
	my $ihl = $o{ihl} // (20 + length $opts) / 4;
	my $len = $o{len} // 20 + length($opts) + length($o{in}[0]);
	my $frag = $o{frag} // 0;
	my $h = pack('CCnnnCCn', (($o{ver} // 4) << 4) | ($ihl & 0xf), $o{tos} // 0, $len & 0xffff,
		$o{id} // rnd(65536), $frag, $o{ttl} // 64, $o{proto}, 0) . ip4a($o{src}) . ip4a($o{dst}) . $opts;
	my $d = "ip4 $o{src} > $o{dst} proto $o{proto}";
	$d .= " ihl $ihl" if $ihl != 5;
	$d .= sprintf(" frag %04x", $frag) if $frag;
	$d .= " len $len" if defined $o{len};
	$d .= " ver $o{ver}" if defined $o{ver};
	return wrap($h, $o{in}, $d);
}
# %o: src dst nh in, tc flow hlim plen ver
sub ip6 {
	my (%o) = @_;
	my $plen = $o{plen} // length $o{in}[0];
	my $h = pack('NnCC', (($o{ver} // 6) << 28) | (($o{tc} // 0) << 20) | ($o{flow} // rnd(1 << 20)),
		$plen & 0xffff, $o{nh}, $o{hlim} // 64) . ip6a($o{src}) . ip6a($o{dst});
	my $d = "ip6 $o{src} > $o{dst} nh $o{nh}";
	$d .= " plen $plen" if defined $o{plen};
	$d .= " ver $o{ver}" if defined $o{ver};
	return wrap($h, $o{in}, $d);
}
# An IPv6 extension header of type t in front of `in` (whose protocol is nh).
sub ext6 {
	my ($t, $nh, $in, %o) = @_;
	if ($t == 44) {
		my $off = $o{off} // 0;
		return wrap(pack('CCnN', $nh, 0, ($off << 3) | ($o{m} // 0), rnd(1 << 30)), $in,
			"frag6 off $off" . ($o{m} ? ' M' : ''));
	}
	if ($t == 43) {
		my $k = 1 + rnd(2);
		return wrap(pack('CCCC', $nh, $o{hlen} // 2 * $k, pick(0, 2, 4), rnd($k + 1)) . "\0" x 4
			. join('', map { ip6a(rand_v6()) } 1 .. $k), $in, 'rthdr');
	}
	my $n = $o{hlen} // rnd(2);             # hop-by-hop (0), destination options (60)
	my $body = 8 * ($n + 1) - 2;
	my $opts = rnd(2) ? "\x05\x02\x00\x00" : '';     # router alert
	my $rest = $body - length $opts;
	$opts .= $rest >= 2 ? "\x01" . chr($rest - 2) . "\0" x ($rest - 2) : "\0" x $rest;   # PadN, Pad1
	return wrap(pack('CC', $nh, $n) . $opts, $in, $t == 0 ? 'hbh' : 'dstopts');
}
sub arp {
	my (%o) = @_;
	my ($hl, $pl) = ($o{hlen} // 6, $o{plen} // 4);
	my $pa = sub { my $a = ip4a($_[0]); $pl == 4 ? $a : substr($a x 8, 0, $pl) };
	my $h = pack('nnCCn', $o{htype} // 1, $o{ptype} // 0x0800, $hl, $pl, $o{op})
		. substr(mac() x 4, 0, $hl) . $pa->($o{spa}) . substr("\0" x 6 . mac() x 4, 0, $hl) . $pa->($o{tpa});
	return wrap($h, raw(''), "arp op $o{op} $o{spa} > $o{tpa}" . ($hl != 6 || $pl != 4 ? " hlen $hl plen $pl" : ''));
}

# ---- transport layer ----
my @tcpflags = (0x02, 0x12, 0x10, 0x18, 0x11, 0x19, 0x04, 0x14, 0x01, 0x20, 0x30, 0x38,
	0x00, 0xff, 0xc2, 0x52, 0x29, 0x3f, 0x06, 0x03);
sub tcp_opts {
	my $o = '';
	for (1 .. rnd(6)) {
		$o .= pick("\x02\x04\x05\xb4", "\x01", "\x03\x03\x07", "\x04\x02", "\x08\x0a" . bytes(8),
			"\x05\x0a" . bytes(8));
	}
	$o = substr($o, 0, 40);
	$o .= "\x01" x ((4 - length($o) % 4) % 4);
	return $o;
}
sub tcp {
	my (%o) = @_;
	my $opts = $o{opts} // (chance(0.4) ? tcp_opts() : '');
	my $doff = $o{doff} // (20 + length $opts) / 4;
	my $fl = $o{flags} // (chance(0.8) ? pick(@tcpflags) : rnd(256));
	my $h = pack('nnNNCCnnn', $o{sport}, $o{dport}, rnd(1 << 31), rnd(1 << 31), ($doff << 4) | rnd(2),
		$fl, rnd(65536), 0, chance(0.1) ? rnd(65536) : 0) . $opts;
	return wrap($h, raw($o{payload} // bytes(paylen())),
		sprintf('tcp %d > %d flags %02x', $o{sport}, $o{dport}, $fl) . ($doff != 5 ? " doff $doff" : ''));
}
sub udp {
	my (%o) = @_;
	my $in = $o{in} // raw(chance(0.1) ? "\x45" . bytes(paylen()) : bytes(paylen()));
	my $len = $o{len} // 8 + length $in->[0];
	return wrap(pack('nnnn', $o{sport}, $o{dport}, $len & 0xffff, rnd(65536)), $in,
		"udp $o{sport} > $o{dport}" . (defined $o{len} ? " len $o{len}" : ''));
}
sub sctp {
	my (%o) = @_;
	my $chunk = pick(pack('CCn', 1, 0, 20) . bytes(16), pack('CCn', 0, 3, 20) . bytes(16), pack('CCn', 3, 0, 4));
	return wrap(pack('nnNN', $o{sport}, $o{dport}, rnd(1 << 31), 0), raw($chunk), "sctp $o{sport} > $o{dport}");
}
my @icmp_types = ([0, 0], [8, 0], [3, 0], [3, 1], [3, 3], [3, 4], [3, 13], [5, 1], [11, 0], [11, 1],
	[13, 0], [14, 0], [9, 0], [10, 0], [12, 0], [17, 0]);
sub icmp {
	my ($t, $c) = @{ chance(0.9) ? pick(@icmp_types) : [rnd(256), rnd(16)] };
	my $body = ($t == 0 || $t == 8) ? pack('nn', rnd(65536), rnd(65536)) . bytes(paylen())
		: "\0" x 4 . pack('CCnnnCCn', 0x45, 0, 60, rnd(65536), 0, 1, pick(6, 17), 0) . bytes(8 + 8);
	return wrap(pack('CCn', $t, $c, 0), raw($body), "icmp $t/$c");
}
my @icmp6_types = (1, 2, 3, 4, 128, 129, 130, 131, 133, 134, 135, 136, 137, 143, 160, 161);
sub icmp6 {
	my $t = chance(0.9) ? pick(@icmp6_types) : rnd(256);
	my $c = chance(0.8) ? 0 : 1 + rnd(8);
	return wrap(pack('CCn', $t, $c, 0), raw(pack('nn', rnd(65536), rnd(65536)) . bytes(paylen())), "icmp6 $t/$c");
}

# The upper layer for IP protocol `p` ("ip4" or "ip6" for `fam`).
sub upper {
	my ($p, $depth) = @_;
	my ($sp, $dp) = (rand_port(), rand_port());
	if (chance(0.05)) { $dp = $sp; }               # src and dst port alike
	if (chance(0.01)) { $sp = $dp = 520; }         # RIP
	return tcp(sport => $sp, dport => $dp) if $p == 6;
	return udp(sport => $sp, dport => $dp) if $p == 17;
	return sctp(sport => $sp, dport => $dp) if $p == 132;
	return icmp() if $p == 1;
	return icmp6() if $p == 58;
	if ($p == 47) {                                # GRE: IPv4, IPv6 or Ethernet inside
		my ($et, $in) = @{ pick([0x0800, $depth < 2 ? ip4_pkt($depth + 1) : raw(bytes(20))],
			[0x86dd, $depth < 2 ? ip6_pkt($depth + 1) : raw(bytes(40))], [0x6558, raw(bytes(60))]) };
		return wrap(pack('nn', 0, $et), $in, sprintf('gre %04x', $et));
	}
	return ip4_pkt($depth + 1) if $p == 4 && $depth < 2;
	return ip6_pkt($depth + 1) if $p == 41 && $depth < 2;
	return raw(bytes(paylen()));
}
sub rand_proto4 {
	return wpick([30, 6], [30, 17], [10, 1], [5, 132], [3, 47], [3, 89], [2, 2], [2, 0], [2, 4],
		[2, 41], [1, 50], [1, 103], [1, 58], [3, rnd(256)]);
}
sub rand_proto6 {
	return wpick([30, 6], [25, 17], [15, 58], [5, 132], [2, 47], [2, 4], [2, 41], [2, 59], [1, 1], [3, rnd(256)]);
}

sub ip4_pkt {
	my ($depth, %o) = @_;
	my $p = $o{proto} // rand_proto4();
	my $frag = wpick([70, 0], [12, 0x4000], [8, 0x2000], [6, 0x2000 | (1 + rnd(0x1fff))], [4, 1 + rnd(0x1fff)]);
	my $later = $frag & 0x1fff;
	my $in = $later ? raw(bytes(paylen())) : upper($p, $depth // 0);
	my ($s, $d) = ($o{src} // rand_v4(), $o{dst} // rand_v4());
	$d = $s if chance(0.03);
	$s = $d = '127.0.0.1' if chance(0.005);
	return ip4(src => $s, dst => $d, proto => $p, in => $in, frag => $frag,
		opts => chance(0.2) ? ip4_opts() : '',
		tos => wpick([6, 0], [2, 2], [1, 0x10], [1, rnd(256)]),
		ttl => wpick([4, 64], [2, 128], [1, 255], [1, 1], [1, 32], [1, 63], [1, rnd(256)], [1, 0]));
}
sub ip6_pkt {
	my ($depth, %o) = @_;
	my $p = $o{proto} // rand_proto6();
	my @ext = map { pick(0, 43, 44, 60) } 1 .. wpick([60, 0], [25, 1], [10, 2], [5, 3]);
	my $later = grep({ $_ == 44 } @ext) && chance(0.4);
	my $in = $later ? raw(bytes(paylen())) : upper($p, $depth // 0);
	my $nh = $p;
	for my $t (reverse @ext) {
		$in = ext6($t, $nh, $in, $t == 44 ? (off => $later ? 1 + rnd(0x1fff) : 0, m => rnd(2)) : ());
		$nh = $t;
	}
	my ($s, $d) = ($o{src} // rand_v6(), $o{dst} // rand_v6());
	return ip6(src => $s, dst => $d, nh => $nh, in => $in,
		tc => chance(0.8) ? 0 : rnd(256), hlim => wpick([4, 64], [2, 255], [1, 1], [1, rnd(256)]));
}
sub arp_pkt {
	my @a = (qw(192.168.1.1 192.168.1.104 192.168.0.7 192.168.1.200 10.0.0.20 10.0.0.1), rand_v4(), rand_v4());
	return arp(op => wpick([5, 1], [4, 2], [1, 3], [1, 4], [1, rnd(10)]), spa => pick(@a), tpa => pick(@a),
		htype => chance(0.9) ? 1 : 6, ptype => chance(0.9) ? 0x0800 : 0x86dd);
}

# One frame of any kind (no VXLAN: see vxlan_frame).
sub any_frame {
	my ($depth, $tags) = @_;
	my $k = wpick([50, 'ip4'], [30, 'ip6'], [6, 'arp'], [1, 'rarp'], [4, 'other']);
	return frame(0x0800, ip4_pkt($depth), $tags) if $k eq 'ip4';
	return frame(0x86dd, ip6_pkt($depth), $tags) if $k eq 'ip6';
	return frame(0x0806, arp_pkt(), $tags) if $k eq 'arp';
	return frame(0x8035, arp_pkt(), $tags) if $k eq 'rarp';
	my $r = rnd(5);
	return eth(40 + rnd(1400), raw("\x42\x42\x03" . bytes(40 + rnd(60)), '802.3 llc')) if $r == 0;
	return frame(0x88cc, raw(bytes(40 + rnd(100)), 'lldp'), $tags) if $r == 1;
	return frame(0x8847, wrap(pack('N', (rnd(1 << 20) << 12) | 0x100 | 64), ip4_pkt($depth), 'mpls'), $tags) if $r == 2;
	return frame(0x8864, raw(bytes(20 + rnd(60)), 'pppoe'), $tags) if $r == 3;
	return frame(0x600 + rnd(0xf000), raw(bytes(paylen()), 'ethertype'), $tags);
}

# VXLAN: UDP to 4789 (mostly) with the I flag (mostly) around a frame.
sub vxlan_frame {
	my $flags = wpick([60, 0x08], [15, 0x00], [5, 0x80], [5, 0x88], [5, 0x0c], [10, rnd(256)]);
	my $vni = chance(0.3) ? pick(100, 200, 300, 5000, 5001) : rnd(1 << 24);
	my $inner = any_frame(1, chance(0.9) ? [] : undef);
	my $vx = wrap(pack('CCnN', $flags, 0, 0, ($vni << 8) | (chance(0.9) ? 0 : rnd(256))), $inner,
		sprintf('vxlan flags %02x vni %d', $flags, $vni));
	my ($sp, $dp) = @{ wpick([85, [1024 + rnd(64512), 4789]], [5, [4789, 4789]], [5, [4789, rand_port()]],
		[5, [rnd(65536), 4790]]) };
	my $u = udp(sport => $sp, dport => $dp, in => $vx);
	# outer addresses mostly from documentation ranges the filters do not
	# name, so that the inner packet decides
	my $doc4 = sub { chance(0.6) ? pick('198.51.100.', '203.0.113.') . rnd(256) : rand_v4() };
	my $doc6 = sub { chance(0.6) ? '2001:db8:ffff::' . sprintf('%x', rnd(65536)) : rand_v6() };
	my $l3 = chance(0.75)
		? [0x0800, ip4(src => $doc4->(), dst => $doc4->(), proto => 17, in => $u, opts => chance(0.1) ? ip4_opts() : '',
			frag => chance(0.1) ? 0x4000 : 0)]
		: [0x86dd, ip6(src => $doc6->(), dst => $doc6->(), nh => 17, in => $u)];
	return frame($l3->[0], $l3->[1], chance(0.9) ? [] : undef);
}

# ---- malformed frames ----
sub malformed {
	my $r = rnd(12);
	my ($s, $d) = (rand_v4(), rand_v4());
	my $p = pick(6, 17, 1, 132);
	if ($r == 0) {                                 # IHL below 5
		return eth(0x0800, ip4(src => $s, dst => $d, proto => $p, in => upper($p, 1), ihl => rnd(5)));
	}
	if ($r == 1) {                                 # IHL past the frame
		return eth(0x0800, ip4(src => $s, dst => $d, proto => $p, in => raw(bytes(rnd(30))), ihl => 6 + rnd(10)));
	}
	if ($r == 2) {                                 # total length shorter than the header
		return eth(0x0800, ip4(src => $s, dst => $d, proto => $p, in => upper($p, 1), len => rnd(20)));
	}
	if ($r == 3) {                                 # total length past the frame
		return eth(0x0800, ip4(src => $s, dst => $d, proto => $p, in => upper($p, 1), len => 100 + rnd(65000)));
	}
	if ($r == 4) {                                 # IPv4 ethertype, another version
		return eth(0x0800, ip4(src => $s, dst => $d, proto => $p, in => upper($p, 1), ver => pick(0, 6, 15)));
	}
	if ($r == 5) {                                 # IPv6 ethertype, version 4
		return eth(0x86dd, ip6(src => rand_v6(), dst => rand_v6(), nh => $p == 1 ? 58 : $p, in => upper($p, 1), ver => 4));
	}
	if ($r == 6) {                                 # IPv6 payload length past the frame, or 0
		my $q = pick(6, 17, 58, 0);
		my $in = $q == 0 ? ext6(0, 17, upper(17, 1)) : upper($q, 1);
		return eth(0x86dd, ip6(src => rand_v6(), dst => rand_v6(), nh => $q, in => $in,
			plen => chance(0.8) ? length($in->[0]) + 1 + rnd(2000) : 0));
	}
	if ($r == 7) {                                 # an extension header running past the frame
		my $t = pick(0, 43, 60);
		return eth(0x86dd, ip6(src => rand_v6(), dst => rand_v6(), nh => $t,
			in => wrap(pack('CC', pick(6, 17), 20 + rnd(200)), raw(bytes(rnd(40))), 'long ext')));
	}
	if ($r == 8) {                                 # TCP data offset below 5, or past the frame
		return eth(0x0800, ip4(src => $s, dst => $d, proto => 6,
			in => tcp(sport => rand_port(), dport => rand_port(), opts => '', doff => pick(0, 1, 4, 15), payload => bytes(rnd(20)))));
	}
	if ($r == 9) {                                 # UDP length below 8 or past the frame
		return eth(0x0800, ip4(src => $s, dst => $d, proto => 17,
			in => udp(sport => rand_port(), dport => rand_port(), len => pick(0, 7, 9000))));
	}
	if ($r == 10) {                                # ARP with other address lengths
		return eth(0x0806, arp(op => 1, spa => $s, tpa => $d, hlen => pick(0, 8, 16), plen => pick(0, 2, 16)));
	}
	return eth(0x0800, raw(bytes(1 + rnd(19)), 'short ip4'));   # an IPv4 header that is not there
}

# ---- cuts: caplen shorter than the frame ----
my @deltas = (0, 1, 2, 3, 4, 6, 8, 9, 10, 12, 13, 14, 16, 17, 20, 24, 28, 32, 36, 40);
sub cut_points {
	my ($pk) = @_;
	my %c;
	for my $m (0, @{ $pk->[1] }) {
		$c{$m + $_} = 1 for @deltas;
		$c{$m - 1} = 1 if $m;
	}
	return grep { $_ < length $pk->[0] } sort { $a <=> $b } keys %c;
}

# ---- the corpus ----
my (@frames, %count);
sub add {
	my ($kind, $pk, $cap) = @_;
	$cap //= length $pk->[0];
	push @frames, [$pk->[0], $cap, $pk->[2] . ($cap < length $pk->[0] ? " [cut at $cap of " . length($pk->[0]) . ']' : '')];
	$count{$kind}++;
}

add('plain', any_frame(0)) for 1 .. 5000;
add('vxlan', vxlan_frame()) for 1 .. 1500;
add('tunnel', frame(0x0800, ip4_pkt(0, proto => pick(47, 4, 41)))) for 1 .. 150;
add('tunnel', frame(0x86dd, ip6_pkt(0, proto => pick(47, 4, 41)))) for 1 .. 50;
add('malformed', malformed()) for 1 .. 800;

# Typical frames cut at every byte of their headers (and a little past).
my @typical = (
	eth(0x0800, ip4(src => '10.0.0.20', dst => '192.168.1.1', proto => 6, in => tcp(sport => 179, dport => 80, flags => 0x12, opts => ''))),
	eth(0x0800, ip4(src => '10.0.0.81', dst => '224.0.0.2', proto => 17, opts => "\x94\x04\x00\x00\x01\x01\x01\x00",
		in => udp(sport => 53, dport => 67))),
	eth(0x0800, ip4(src => '172.16.1.51', dst => '10.0.0.20', proto => 1, in => icmp())),
	eth(0x0800, ip4(src => '192.168.1.104', dst => '10.0.0.1', proto => 132, in => sctp(sport => 9899, dport => 80))),
	eth(0x0800, ip4(src => '10.0.0.20', dst => '10.0.0.81', proto => 17, frag => 0x2000 | 100, in => raw(bytes(40)))),
	eth(0x86dd, ip6(src => 'fe80::e091:f5ff:fecc:7abd', dst => 'ff02::12', nh => 6, in => tcp(sport => 6633, dport => 443, opts => ''))),
	eth(0x86dd, ip6(src => '2001:db8::1', dst => 'ff02::1:2', nh => 0, in => ext6(0, 43, ext6(43, 44,
		ext6(44, 17, udp(sport => 520, dport => 520), off => 0, m => 1))))),
	eth(0x86dd, ip6(src => 'fe80::8d84:d538:a212:c6dd', dst => '::1', nh => 60, in => ext6(60, 58, icmp6()))),
	eth(0x0806, arp(op => 2, spa => '192.168.1.1', tpa => '192.168.1.104')),
	tagged(0x0800, ip4(src => '10.0.0.20', dst => '8.8.8.8', proto => 17, in => udp(sport => 123, dport => 53)), 0x88a8, 0x8100),
	tagged(0x86dd, ip6(src => 'fd00::1', dst => '2001:db8::1', nh => 17, in => udp(sport => 6696, dport => 1985)), 0x8100),
	eth(0x0800, ip4(src => '198.51.100.1', dst => '198.51.100.2', proto => 17, in => udp(sport => 40000, dport => 4789,
		in => wrap(pack('CCnN', 8, 0, 0, 100 << 8), eth(0x0800, ip4(src => '10.0.0.20', dst => '192.168.1.1', proto => 6,
			in => tcp(sport => 22, dport => 80, flags => 0x02, opts => ''))), 'vxlan flags 08 vni 100')))),
	eth(0x86dd, ip6(src => '2001:db8:ffff::1', dst => '2001:db8:ffff::2', nh => 17, in => udp(sport => 40000, dport => 4789,
		in => wrap(pack('CCnN', 8, 0, 0, 200 << 8), tagged(0x86dd, ip6(src => 'fe80::e091:f5ff:fecc:7abd', dst => 'ff02::1', nh => 58,
			in => icmp6()), 0x8100), 'vxlan flags 08 vni 200')))),
	eth(0x0800, ip4(src => '198.51.100.1', dst => '198.51.100.2', proto => 17, in => udp(sport => 40000, dport => 4789,
		in => wrap(pack('CCnN', 0, 0, 0, 100 << 8), eth(0x0806, arp(op => 1, spa => '192.168.1.1', tpa => '10.0.0.20')),
			'vxlan flags 00 vni 100')))),
);
for my $pk (@typical) {
	my $last = (sort { $b <=> $a } @{ $pk->[1] })[0] // 0;
	for my $cap (0 .. $last + 24) {
		add('cut-every-byte', $pk, $cap) if $cap < length $pk->[0];
	}
}
# Many more frames cut at or near one of their header boundaries.
for (1 .. 2500) {
	my $pk = chance(0.25) ? vxlan_frame() : any_frame(0);
	my @c = cut_points($pk);
	add('cut', $pk, pick(@c)) if @c;
}

# Write OUT (timestamps = positions) and DESC.
open(my $o, '>:raw', $out) or die "$out: $!";
open(my $dd, '>', $descf) or die "$descf: $!";
print $o pack('VvvVVVV', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1);
my $n = 0;
for my $f (@frames) {
	my ($b, $cap, $desc) = @$f;
	$n++;
	print $o pack('VVVV', $n, 0, $cap, length $b), substr($b, 0, $cap);
	print $dd "$n $desc\n";
}
close $o or die "$out: $!";
close $dd or die "$descf: $!";
print STDERR "corpus.pl: $n frames (", join(', ', map { "$count{$_} $_" } sort keys %count), ")\n";
