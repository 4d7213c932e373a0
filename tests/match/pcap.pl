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
#   pcap.pl ts FILE
#       Print the timestamp (seconds) of every record of FILE: with
#       `tcpdump -w` of a merged file, the positions tcpdump accepted (its
#       printed output would not do: frames with invalid headers are
#       printed without a timestamp).
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
	my ($d, $u) = slurp($_[0]);
	records($d, $u, sub { print "$_[0]\n" });
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
elsif ($cmd eq 'vxlan') { vxlan_pcap(@ARGV); }
else { die "usage: pcap.pl merge OUT INDEX FILE... | pcap.pl ts FILE | pcap.pl vxlan OUT\n"; }
