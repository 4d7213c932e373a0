#!/usr/bin/perl
# Small pcap tools for tests/match/run.t (perl is in every Debian).
#
#   pcap.pl merge OUT INDEX FILE...
#       Concatenate classic pcap files (either byte order, micro- or
#       nanosecond) into OUT, setting each record's timestamp to its
#       position in OUT (1, 2, ...; microseconds 0), so that
#       `tcpdump -tt` prints positions. INDEX gets "START COUNT FILE"
#       lines: FILE's records are START .. START+COUNT-1 in OUT.
#       Records are copied as they are: normalise the inputs with
#       `tcpdump -r IN -w OUT` first so libpcap's own truncation applies.
#   pcap.pl ts FILE...
#       Print the timestamp (seconds) of every record of each FILE: with
#       `tcpdump -w` of a merged file, the positions tcpdump accepted (its
#       printed output would not do: frames with invalid headers are
#       printed without a timestamp).
#   pcap.pl split FILE DIR
#       Sort the records of a merged FILE by how vnt reads them, for the
#       comparison with tcpdump: DIR/o0.pcap gets the frames without VLAN
#       tags, o1 those with one, o2 those with two (tcpdump sees what vnt
#       sees in them with `F`, `vlan and (F)`, `vlan and vlan and (F)`);
#       of every VXLAN frame, the inner frame also goes to i0, i1 or i2,
#       with the outer frame's timestamp and length (vnt's `len` is the
#       outer one). Prints the counts ("o0 N o1 N ...").
#   pcap.pl vxlan OUT
#       Write the VXLAN test frames described in run.t.
use strict;
use warnings;

sub hdr { return pack('VvvVVVV', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1); }

sub slurp {
	my ($f) = @_;
	open(my $i, '<:raw', $f) or die "$f: $!";
	local $/;
	my $d = <$i>;
	close $i;
	my $magic = length $d >= 24 ? unpack('V', substr($d, 0, 4)) : 0;
	my $u = ($magic == 0xa1b2c3d4 || $magic == 0xa1b23c4d) ? 'V' :
		($magic == 0xd4c3b2a1 || $magic == 0x4d3cb2a1) ? 'N' : die "$f: not a classic pcap file\n";
	return ($d, $u);
}

# Call $cb->(sec, usec, incl, orig, data) for every complete record.
sub records {
	my ($d, $u, $cb) = @_;
	my $pos = 24;
	while ($pos + 16 <= length $d) {
		my ($s, $us, $incl, $orig) = unpack("$u$u$u$u", substr($d, $pos, 16));
		last if $pos + 16 + $incl > length $d;
		$cb->($s, $us, $incl, $orig, substr($d, $pos + 16, $incl));
		$pos += 16 + $incl;
	}
}

sub ts {
	for my $f (@_) {
		my ($d, $u) = slurp($f);
		records($d, $u, sub { print "$_[0]\n" });
	}
}

sub merge {
	my ($out, $index, @files) = @_;
	open(my $o, '>:raw', $out) or die "$out: $!";
	open(my $ix, '>', $index) or die "$index: $!";
	print $o hdr();
	my $n = 0;
	for my $f (@files) {
		my ($d, $u) = slurp($f);
		my $start = $n + 1;
		records($d, $u, sub {
			$n++;
			print $o pack('VVVV', $n, 0, $_[2], $_[3]), $_[4];
		});
		print $ix "$start ", $n - $start + 1, " $f\n";
	}
	close $o;
	close $ix;
}

# ---- how vnt reads a frame (bpf-templates/vnt_pkt.h), for split ----
use constant SNAP => 256;       # vnt match sees this much of a frame (runtime/match.h)

# VLAN tags vnt steps over at eth: up to two, each only when the
# ethertype after it was captured (vnt_pkt_eth). Returns (tags, l3off,
# ethertype).
sub l2 {
	my ($d, $cap, $eth) = @_;
	my $has = sub { $_[1] <= $cap && $_[0] <= $cap - $_[1] };
	my $off = $eth + 12;
	my $et = $has->($off, 2) ? unpack('n', substr($d, $off, 2)) : 0;
	my $n = 0;
	while ($n < 2 && ($et == 0x8100 || $et == 0x88a8 || $et == 0x9100) && $has->($off + 4, 2)) {
		$off += 4;
		$et = unpack('n', substr($d, $off, 2));
		$n++;
	}
	return ($n, $off + 2, $et);
}

# Where vnt finds a VXLAN frame's inner Ethernet header (vnt_udp_at,
# vnt_enter_inner): UDP over IPv4 (not a later fragment, IHL >= 5) or
# IPv6 (no extension header) to port 4789, the VXLAN header's I flag set,
# 30 bytes from the UDP header on captured. Else undef.
sub inner_at {
	my ($d, $cap, $l3, $et) = @_;
	my $has = sub { $_[1] <= $cap && $_[0] <= $cap - $_[1] };
	my $b = sub { unpack('C', substr($d, $_[0], 1)) };
	my $l4;
	if ($et == 0x0800) {
		return undef unless $has->($l3, 20) && $b->($l3 + 9) == 17
			&& !(unpack('n', substr($d, $l3 + 6, 2)) & 0x1fff) && ($b->($l3) & 0xf) >= 5;
		$l4 = $l3 + 4 * ($b->($l3) & 0xf);
	} elsif ($et == 0x86dd) {
		return undef unless $has->($l3, 40) && $b->($l3 + 6) == 17;
		$l4 = $l3 + 40;
	} else {
		return undef;
	}
	return undef unless $has->($l4, 30) && unpack('n', substr($d, $l4 + 2, 2)) == 4789 && ($b->($l4 + 8) & 0x08);
	return $l4 + 16;
}

sub split_corpus {
	my ($file, $dir) = @_;
	my ($d, $u) = slurp($file);
	my (%fh, %n);
	for my $k (qw(o0 o1 o2 i0 i1 i2)) {
		open($fh{$k}, '>:raw', "$dir/$k.pcap") or die "$dir/$k.pcap: $!";
		print { $fh{$k} } hdr();
		$n{$k} = 0;
	}
	records($d, $u, sub {
		my ($s, $us, $incl, $orig, $f) = @_;
		my $put = sub { my ($k, $bytes) = @_;
				print { $fh{$k} } pack('VVVV', $s, $us, length $bytes, $orig), $bytes; $n{$k}++ };
		my ($tags, $l3, $et) = l2($f, $incl, 0);
		$put->("o$tags", $f);
		my $cap = $incl < SNAP ? $incl : SNAP;
		my $in = inner_at($f, $cap, $l3, $et);
		return unless defined $in;
		my $inner = substr($f, $in, $cap - $in);
		my ($itags) = l2($inner, length $inner, 0);
		$put->("i$itags", $inner);
	});
	close $fh{$_} for keys %fh;
	print join(' ', map { "$_ $n{$_}" } qw(o0 o1 o2 i0 i1 i2)), "\n";
}

# ---- frame builders (checksums are left 0: filters do not read them) ----
sub ip4a { return pack('C4', split /\./, $_[0]); }
sub ip6a {
	my ($s) = @_;
	my ($l, $r) = split /::/, $s, -1;
	my @l = $l ne '' ? split(/:/, $l) : ();
	my @r = defined $r && $r ne '' ? split(/:/, $r) : ();
	my @w = (@l, (defined $r ? ('0') x (8 - @l - @r) : ()), @r);
	return pack('n8', map { hex } @w);
}
sub eth { return pack('H12H12n', '020000000002', '020000000001', $_[0]) . $_[1]; }
sub vlan { return pack('nn', $_[0], $_[1]) . $_[2]; }   # TCI, inner ethertype, payload
sub ip4 {
	my ($src, $dst, $proto, $pl, $opt) = @_;
	$opt //= '';
	my $hl = (20 + length $opt) / 4;
	return pack('CCnnnCCn', 0x40 | $hl, 0, 20 + length($opt) + length($pl), 0x1234, 0, 64, $proto, 0)
		. ip4a($src) . ip4a($dst) . $opt . $pl;
}
sub ip6 {
	my ($src, $dst, $nh, $pl) = @_;
	return pack('NnCC', 0x60012345, length $pl, $nh, 64) . ip6a($src) . ip6a($dst) . $pl;
}
sub udp { return pack('nnnn', $_[0], $_[1], 8 + length $_[2], 0xbeef) . $_[2]; }
sub tcp { return pack('nnNNCCnnn', $_[0], $_[1], 1000, 2000, 0x50, 0x18, 512, 0, 0); }
sub icmp { return pack('CCnnn', 8, 0, 0, 0x4242, 7) . 'ping'; }
sub arp {
	return pack('nnCCn', 1, 0x0800, 6, 4, 1) . pack('H12', '020000000005') . ip4a($_[0])
		. pack('H12', '000000000000') . ip4a($_[1]);
}
sub vxlan { return pack('CCnN', $_[2] // 0x08, 0, 0, $_[0] << 8) . $_[1]; }   # VNI, payload[, flags]

sub frames {
	my $in1 = eth(0x0800, ip4('10.1.0.1', '10.1.0.2', 17, udp(1000, 2000, 'hello')));
	my $ou = sub { my ($port, $vni, $inner) = @_;
		       eth(0x0800, ip4('10.9.0.1', '10.9.0.2', 17, udp(40000, $port, vxlan($vni, $inner)))) };
	my $f5 = $ou->(4789, 100, $in1);
	my $f9 = $ou->(4789, 100, '');
	return (
		[ $ou->(4789, 100, $in1) ],                                                  # 1
		[ eth(0x86dd, ip6('fd00::1', 'fd00::2', 17, udp(40001, 4789, vxlan(200,
			eth(0x0800, ip4('10.1.0.3', '10.1.0.4', 1, icmp()))))) ) ],         # 2
		[ $ou->(4789, 100, eth(0x0806, arp('10.1.0.5', '10.1.0.6'))) ],              # 3
		[ $ou->(4790, 100, $in1) ],                                                  # 4
		[ $f5, 14 + 20 + 8 + 8 + 14 + 8 ],                                           # 5
		[ $ou->(4789, 300, eth(0x8100, vlan(5, 0x0800,
			ip4('10.1.0.7', '10.1.0.8', 6, tcp(3000, 80))))) ],                  # 6
		[ eth(0x0800, ip4('10.9.0.1', '10.9.0.2', 17, udp(40000, 4789, vxlan(100,
			eth(0x86dd, ip6('fd01::1', 'fd01::2', 6, tcp(3001, 443))))), "\x01\x01\x01\x01")) ], # 7
		[ $in1 ],                                                                    # 8
		[ $f9 ],                                                                     # 9
		[ eth(0x0800, ip4('10.9.0.1', '10.9.0.2', 17, udp(40000, 4789, vxlan(100,
			eth(0x0800, ip4('192.168.5.1', '192.168.5.2', 17, udp(1000, 2000, 'hello'))), 0x00)))) ], # 10
		[ eth(0x0800, ip4('10.9.0.1', '10.9.0.2', 17, udp(40000, 4789, vxlan(100,
			eth(0x0800, ip4('192.168.5.1', '192.168.5.2', 17, udp(1000, 2000, 'hello'))), 0x88)))) ], # 11
	);
}

sub vxlan_pcap {
	my ($out) = @_;
	open(my $o, '>:raw', $out) or die "$out: $!";
	print $o hdr();
	my $n = 0;
	for my $f (frames()) {
		my ($d, $cap) = @$f;
		$cap //= length $d;
		$n++;
		print $o pack('VVVV', $n, 0, $cap, length $d), substr($d, 0, $cap);
	}
	close $o;
}

my $cmd = shift // '';
if ($cmd eq 'merge') { merge(@ARGV); }
elsif ($cmd eq 'ts') { ts(@ARGV); }
elsif ($cmd eq 'split') { split_corpus(@ARGV); }
elsif ($cmd eq 'vxlan') { vxlan_pcap(@ARGV); }
else { die "usage: pcap.pl merge OUT INDEX FILE... | pcap.pl ts FILE... | pcap.pl split FILE DIR | pcap.pl vxlan OUT\n"; }
