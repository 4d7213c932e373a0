/* Filter expressions to eBPF C, with libpcap's semantics.
 *
 * Each primitive is printed as the test libpcap's gencode.c builds for
 * it on Ethernet (checked against `tcpdump -d` of libpcap 1.10), over the
 * helpers of bpf-templates/vnt_pkt.h; tests/match/run.t holds the result
 * against tcpdump on a corpus of real and broken frames. The answers are
 * those of libpcap's program before optimisation (tcpdump -O), plus the
 * optimiser's constant folds below. The one optimisation not mirrored:
 * libpcap deletes a load whose comparison cannot change the verdict, so
 * `udp port 53 or udp` accepts a UDP frame cut before its ports, which
 * vnt (like classic BPF unoptimised) rejects. Three properties of classic
 * BPF are kept on purpose because they decide what truncated or odd
 * packets do:
 *
 *  - Evaluation order: C's && and || short-circuit in the order libpcap's
 *    blocks run, so the loads a packet reaches are the ones the BPF
 *    program would reach.
 *  - Aborts: a load past the captured bytes (or a division by zero) makes
 *    a BPF filter return 0 whatever it was computing. The helpers record
 *    that in p->oob and the function rejects the packet when it is set.
 *  - Relations (`tcp[13] & 2 != 0`): libpcap first runs the protocol
 *    checks its loads imply, then the arithmetic, then the comparison;
 *    a failed check makes the relation false (so `not` of it true).
 *    Like libpcap, a binary operator keeps only its left operand's
 *    checks, and operations with a constant 0 that libpcap's optimiser
 *    folds (x & 0, x * 0, 0 / x...) load nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/filter_gen.h"

struct gen {
	struct vnt_filter_env *env;
	int errors;
	int depth;              /* named filters being expanded */
	int uniq;               /* suffix of the next temporary */
	bool layers;            /* inner() or outer() used: keep the entry view */
};

#define GEN_ERROR(g, loc, hint, ...) \
	((g)->errors++, vnt_error((g)->env->diag, (loc), (hint), __VA_ARGS__))

enum { MAX_REF_DEPTH = 32 };

/* ---- arithmetic ---- */

/* The constant a parameter stands for, if it is bound to a number. */
static bool param_const(struct gen *g, const char *name, uint64_t *v)
{
	if (!g->env->param_value)
		return false;
	const char *s = g->env->param_value(g->env, name, v);
	return s && !*s;
}

/* Is a a constant for libpcap's optimiser? It folds constant operands and
 * the operations a zero operand decides, which removes their loads. */
static bool aconst(struct gen *g, const struct vnt_aexpr *a, uint32_t *v)
{
	uint64_t n;
	uint32_t l, r;
	bool lc, rc;
	switch (a->op) {
	case A_NUM:
		*v = (uint32_t)a->num;
		return a->num <= UINT32_MAX;
	case A_PARAM:
		if (!param_const(g, a->param, &n) || n > UINT32_MAX)
			return false;
		*v = (uint32_t)n;
		return true;
	case A_BINOP:
		lc = aconst(g, a->l, &l);
		rc = aconst(g, a->r, &r);
		if (rc && r == 0 && (a->binop == '&' || a->binop == '*')) {
			*v = 0;
			return true;
		}
		if (lc && l == 0 && strchr("*/%&<>", a->binop)) {
			*v = 0;
			return true;
		}
		if (!lc || !rc)
			return false;
		switch (a->binop) {
		case '+': *v = l + r; return true;
		case '-': *v = l - r; return true;
		case '*': *v = l * r; return true;
		case '&': *v = l & r; return true;
		case '|': *v = l | r; return true;
		case '^': *v = l ^ r; return true;
		case '<': *v = r < 32 ? l << r : 0; return true;
		case '>': *v = r < 32 ? l >> r : 0; return true;
		case '/': if (!r) return false; *v = l / r; return true;
		case '%': if (!r) return false; *v = l % r; return true;
		}
		return false;
	default:
		return false;
	}
}

/* IP protocol number a transport-layer load requires. */
static int load_ipproto(enum vnt_proto p)
{
	switch (p) {
	case P_TCP: return 6;
	case P_UDP: return 17;
	case P_ICMP: return 1;
	case P_SCTP: return 132;
	default: return -1;
	}
}

/* Append the protocol checks a's loads imply, each followed by " && ". */
static void aguard(struct gen *g, const struct vnt_aexpr *a, struct strbuf *o)
{
	switch (a->op) {
	case A_BINOP:
		/* gen_arth() drops its right operand's checks */
		aguard(g, a->l, o);
		return;
	case A_LOAD:
		switch (a->proto) {
		case P_IP:
		case P_IP6:
		case P_ARP:
			aguard(g, a->l, o);
			sb_printf(o, "%s && ", a->proto == P_IP ? "vnt_is_ip(p)" :
				  a->proto == P_IP6 ? "vnt_is_ip6(p)" : "vnt_is_arp(p)");
			return;
		case P_ICMP6:
			aguard(g, a->l, o);
			sb_puts(o, "vnt_is_ip6(p) && vnt_nl8(p, 6) == 58 && ");
			return;
		default:
			if (load_ipproto(a->proto) < 0)
				return;
			/* IPv4 only: libpcap offsets the transport header by
			 * ip[0]'s IHL, and only a first fragment has one */
			sb_puts(o, "vnt_is_ip(p) && ");
			aguard(g, a->l, o);
			sb_printf(o, "vnt_nl8(p, 9) == %d && vnt_ip4_frag0(p) && ", load_ipproto(a->proto));
			return;
		}
	default:
		return;
	}
}

static void aval(struct gen *g, const struct vnt_aexpr *a, struct strbuf *o);

static void aload(struct gen *g, const struct vnt_aexpr *a, struct strbuf *o)
{
	const char *fn;
	switch (a->proto) {
	case P_IP: case P_IP6: case P_ARP: fn = "vnt_nl"; break;
	case P_ICMP6: fn = "vnt_tp6_"; break;
	default:
		if (load_ipproto(a->proto) < 0) {
			GEN_ERROR(g, &a->loc, "load from ip, ip6, arp, tcp, udp, sctp, icmp or icmp6",
				  "cannot index this protocol");
			sb_puts(o, "0U");
			return;
		}
		fn = "vnt_tp4_";
	}
	if (a->size != 1 && a->size != 2 && a->size != 4) {
		GEN_ERROR(g, &a->loc, NULL, "the size of a packet load is 1, 2 or 4 bytes");
		sb_puts(o, "0U");
		return;
	}
	sb_printf(o, "%s%d(p, ", fn, a->size * 8);
	aval(g, a->l, o);
	sb_puts(o, ")");
}

/* libpcap refuses these when the right operand is written as a literal. */
static void check_literal_rhs(struct gen *g, const struct vnt_aexpr *a)
{
	if (a->r->op != A_NUM)
		return;
	if ((a->binop == '/' || a->binop == '%') && a->r->num == 0)
		GEN_ERROR(g, &a->loc, NULL, "%s by zero", a->binop == '/' ? "division" : "modulus");
	else if ((a->binop == '<' || a->binop == '>') && a->r->num > 31)
		GEN_ERROR(g, &a->loc, "values are 32 bits wide", "shift by more than 31 bits");
}

static void aval(struct gen *g, const struct vnt_aexpr *a, struct strbuf *o)
{
	uint32_t v;
	uint64_t n;
	if (a->op == A_NUM && a->num > UINT32_MAX) {
		GEN_ERROR(g, &a->loc, "filter arithmetic is 32-bit unsigned, as in tcpdump",
			  "number %" PRIu64 " does not fit in 32 bits", a->num);
		sb_puts(o, "0U");
		return;
	}
	if (a->op == A_BINOP)
		check_literal_rhs(g, a);
	if (aconst(g, a, &v)) {
		sb_printf(o, "0x%" PRIx32 "U", v);
		return;
	}
	switch (a->op) {
	case A_NUM:
		break;          /* constant: printed above */
	case A_LEN:
		sb_puts(o, "p->wirelen");
		break;
	case A_PARAM: {
		/* a bound number was printed above as a constant */
		const char *s = g->env->param_value ? g->env->param_value(g->env, a->param, &n) : NULL;
		if (!s)
			GEN_ERROR(g, &a->loc, NULL, "parameter '%s' has no value here", a->param);
		else if (!*s)
			GEN_ERROR(g, &a->loc, NULL, "parameter '%s' is %" PRIu64 ", more than 32 bits", a->param, n);
		else
			GEN_ERROR(g, &a->loc, NULL, "parameter '%s' is the string \"%s\"; a number is needed here",
				  a->param, s);
		sb_puts(o, "0U");
		break;
	}
	case A_LOAD:
		aload(g, a, o);
		break;
	case A_BINOP: {
		const char *fn = NULL, *op = NULL;
		switch (a->binop) {
		case '/': fn = "vnt_div(p, "; break;
		case '%': fn = "vnt_mod(p, "; break;
		case '<': fn = "vnt_shl("; break;
		case '>': fn = "vnt_shr("; break;
		case '+': op = " + "; break;
		case '-': op = " - "; break;
		case '*': op = " * "; break;
		case '&': op = " & "; break;
		case '|': op = " | "; break;
		case '^': op = " ^ "; break;
		default:
			GEN_ERROR(g, &a->loc, NULL, "unknown operator '%c'", a->binop);
			sb_puts(o, "0U");
			return;
		}
		sb_puts(o, fn ? fn : "(");
		aval(g, a->l, o);
		sb_puts(o, fn ? ", " : op);
		aval(g, a->r, o);
		sb_puts(o, ")");
		break;
	}
	}
}

static void relation(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	sb_puts(o, "(");
	aguard(g, f->al, o);
	aguard(g, f->ar, o);
	sb_puts(o, "(");
	aval(g, f->al, o);
	sb_printf(o, " %s ", ops[f->relop]);
	aval(g, f->ar, o);
	sb_puts(o, "))");
}

/* ---- addresses ---- */

/* One address field: (word & mask) == net over 32-bit loads, skipping
 * the words the mask ignores (libpcap's optimiser drops those loads). */
static void addr_match(const struct vnt_addr *a, int off, struct strbuf *o)
{
	int words = a->family == 4 ? 1 : 4, n = 0;
	sb_puts(o, "(");
	for (int w = 0; w < words; w++) {
		int bits = a->prefix - 32 * w;
		uint32_t mask = bits >= 32 ? 0xffffffffu : bits <= 0 ? 0 : ~0u << (32 - bits);
		uint32_t net = (uint32_t)a->bytes[4 * w] << 24 | (uint32_t)a->bytes[4 * w + 1] << 16 |
			       (uint32_t)a->bytes[4 * w + 2] << 8 | a->bytes[4 * w + 3];
		if (!mask)
			continue;
		if (n++)
			sb_puts(o, " && ");
		if (mask == 0xffffffffu)
			sb_printf(o, "vnt_nl32(p, %d) == 0x%" PRIx32 "U", off + 4 * w, net);
		else
			sb_printf(o, "(vnt_nl32(p, %d) & 0x%" PRIx32 "U) == 0x%" PRIx32 "U",
				  off + 4 * w, mask, net & mask);
	}
	sb_puts(o, n ? ")" : "1)");
}

/* Source and destination fields at soff and doff, by direction. */
static void by_dir(enum vnt_dir d, const struct vnt_addr *a, int soff, int doff, struct strbuf *o)
{
	sb_puts(o, "(");
	if (d != DIR_DST)
		addr_match(a, soff, o);
	if (d == DIR_SRC_AND_DST)
		sb_puts(o, " && ");
	else if (d == DIR_ANY || d == DIR_SRC_OR_DST)
		sb_puts(o, " || ");
	if (d != DIR_SRC)
		addr_match(a, doff, o);
	sb_puts(o, ")");
}

static void host_net(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	const struct vnt_addr *a = &f->addr;
	if (a->family == 6) {
		if (f->proto != P_NONE && f->proto != P_IP6) {
			GEN_ERROR(g, &f->loc, "use `ip6 host` or no qualifier for an IPv6 address",
				  "IPv6 address with a non-IPv6 qualifier");
			sb_puts(o, "0");
			return;
		}
		sb_puts(o, "(vnt_is_ip6(p) && ");
		by_dir(f->dir, a, 8, 24, o);
		sb_puts(o, ")");
		return;
	}
	if (a->family != 4 || (f->proto != P_NONE && f->proto != P_IP && f->proto != P_ARP)) {
		GEN_ERROR(g, &f->loc, "use `ip host`, `arp host` or no qualifier for an IPv4 address",
			  "IPv4 address with a non-IPv4 qualifier");
		sb_puts(o, "0");
		return;
	}
	/* libpcap: IPv4 addresses, then ARP and RARP sender/target ones */
	sb_puts(o, "(");
	if (f->proto != P_ARP) {
		sb_puts(o, "(vnt_is_ip(p) && ");
		by_dir(f->dir, a, 12, 16, o);
		sb_puts(o, ")");
	}
	if (f->proto == P_NONE)
		sb_puts(o, " || ");
	if (f->proto != P_IP) {
		sb_printf(o, "(%s && ", f->proto == P_ARP ? "vnt_is_arp(p)" : "vnt_is_arp_rarp(p)");
		by_dir(f->dir, a, 14, 24, o);
		sb_puts(o, ")");
	}
	sb_puts(o, ")");
}

/* ---- ports ---- */

static void port_atom(const struct vnt_fexpr *f, int v6, int off, struct strbuf *o)
{
	const char *ld = v6 ? "vnt_tp6_16" : "vnt_tp4_16";
	if (f->kind == F_PORT)
		sb_printf(o, "%s(p, %d) == %uU", ld, off, f->port_lo);
	else
		sb_printf(o, "vnt_in(%s(p, %d), %uU, %uU)", ld, off, f->port_lo, f->port_hi);
}

static void port_dir(const struct vnt_fexpr *f, int v6, struct strbuf *o)
{
	sb_puts(o, "(");
	if (f->dir != DIR_DST)
		port_atom(f, v6, 0, o);
	if (f->dir == DIR_SRC_AND_DST)
		sb_puts(o, " && ");
	else if (f->dir == DIR_ANY || f->dir == DIR_SRC_OR_DST)
		sb_puts(o, " || ");
	if (f->dir != DIR_SRC)
		port_atom(f, v6, 2, o);
	sb_puts(o, ")");
}

/* libpcap tests IPv6 first for ports (gen_port6 is or'ed in front). */
static void port(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	int pr;
	switch (f->proto) {
	/* a service without a qualifier: the protocols it is defined for */
	case P_NONE: pr = f->svc_protos == VNT_SVC_TCP ? 6 : f->svc_protos == VNT_SVC_UDP ? 17 : 0; break;
	case P_TCP: pr = 6; break;
	case P_UDP: pr = 17; break;
	case P_SCTP: pr = 132; break;
	default:
		GEN_ERROR(g, &f->loc, "ports belong to tcp, udp or sctp", "illegal qualifier of 'port'");
		sb_puts(o, "0");
		return;
	}
	sb_printf(o, "((vnt_is_ip6(p) && vnt_port6_ok(p, %d) && ", pr);
	port_dir(f, 1, o);
	sb_printf(o, ") || (vnt_is_ip(p) && vnt_port4_ok(p, %d) && ", pr);
	port_dir(f, 0, o);
	sb_puts(o, "))");
}

/* ---- protocols ---- */

/* Bare `ip`/`ip6`/`arp` and `ip proto 0` both leave num at 0; only the
 * latter's location spans more than the keyword. */
static bool has_proto_num(const struct vnt_fexpr *f)
{
	if (f->num)
		return true;
	return f->loc.end_line > f->loc.line || f->loc.end_col - f->loc.col > 3;
}

/* `vxlan`: UDP to port 4789 whose VXLAN header has the I flag (over IPv4
 * `udp dst port 4789 and udp[8] & 8 != 0`; RFC 7348: the flag says the
 * VNI is valid, and without it vnt_enter_inner does not look inside
 * either); `vni N` also compares the 24-bit identifier. */
static void vxlan(const struct vnt_fexpr *f, struct strbuf *o)
{
	for (int v6 = 1; v6 >= 0; v6--) {
		const char *tp = v6 ? "vnt_tp6" : "vnt_tp4";
		sb_printf(o, "%s(%s && %s(p, 17) && %s_16(p, 2) == %dU && (%s_8(p, 8) & 8)", v6 ? "(" : " || ",
			  v6 ? "vnt_is_ip6(p)" : "vnt_is_ip(p)", v6 ? "vnt_port6_ok" : "vnt_port4_ok",
			  tp, 4789, tp);
		if (f->num != UINT64_MAX)
			sb_printf(o, " && (%s_32(p, 12) >> 8) == %" PRIu64 "U", tp, f->num);
		sb_puts(o, ")");
	}
	sb_puts(o, ")");
}

static void proto(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	switch (f->proto) {
	case P_IP:
	case P_IP6:
		if (has_proto_num(f)) {
			if (f->num > 255) {
				GEN_ERROR(g, &f->loc, NULL, "protocol number %" PRIu64 " is more than 255", f->num);
				sb_puts(o, "0");
			} else {
				sb_printf(o, "vnt_ip%s_proto(p, %" PRIu64 ")", f->proto == P_IP ? "" : "6", f->num);
			}
		} else {
			sb_puts(o, f->proto == P_IP ? "vnt_is_ip(p)" : "vnt_is_ip6(p)");
		}
		return;
	case P_ARP:
		if (has_proto_num(f)) {
			GEN_ERROR(g, &f->loc, "write `ip proto N`, `ip6 proto N` or `proto N`",
				  "'arp proto' is not supported");
			sb_puts(o, "0");
			return;
		}
		sb_puts(o, "vnt_is_arp(p)");
		return;
	case P_NONE:
		if (f->num > 255) {
			GEN_ERROR(g, &f->loc, NULL, "protocol number %" PRIu64 " is more than 255", f->num);
			sb_puts(o, "0");
			return;
		}
		sb_printf(o, "vnt_proto(p, %" PRIu64 ")", f->num);
		return;
	case P_TCP: sb_puts(o, "vnt_proto(p, 6)"); return;
	case P_UDP: sb_puts(o, "vnt_proto(p, 17)"); return;
	case P_SCTP: sb_puts(o, "vnt_proto(p, 132)"); return;
	case P_ICMP: sb_puts(o, "vnt_ip_proto(p, 1)"); return;
	case P_ICMP6: sb_puts(o, "vnt_ip6_proto(p, 58)"); return;
	case P_VXLAN: vxlan(f, o); return;
	}
}

/* ---- boolean structure ---- */

static void fexpr(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o);

/* inner(e) and outer(e) evaluate e on another view of the packet and put
 * the current one back, whatever e found. */
static void layer(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	int n = g->uniq++;
	g->layers = true;
	sb_printf(o, "({ __u16 vnt_l3_%d = p->l3off, vnt_et_%d = p->ethertype; int vnt_r_%d = 0;\n"
		  "\tp->l3off = vnt_l3off0; p->ethertype = vnt_et0;\n\t", n, n, n);
	if (f->kind == F_INNER)
		sb_puts(o, "if (vnt_enter_inner(p))\n\t\t");
	sb_printf(o, "vnt_r_%d = ", n);
	fexpr(g, f->l, o);
	sb_printf(o, ";\n\tp->l3off = vnt_l3_%d; p->ethertype = vnt_et_%d; vnt_r_%d; })", n, n, n);
}

/* a and b and c: one level of parentheses for the whole chain, so long
 * filters do not exceed clang's bracket nesting limit */
static void chain(struct gen *g, const struct vnt_fexpr *f, enum vnt_fkind k, struct strbuf *o)
{
	if (f->kind != k) {
		fexpr(g, f, o);
		return;
	}
	chain(g, f->l, k, o);
	sb_puts(o, k == F_AND ? " && " : " || ");
	chain(g, f->r, k, o);
}

static void fexpr(struct gen *g, const struct vnt_fexpr *f, struct strbuf *o)
{
	switch (f->kind) {
	case F_AND:
	case F_OR:
		sb_puts(o, "(");
		chain(g, f, f->kind, o);
		sb_puts(o, ")");
		return;
	case F_NOT:
		sb_puts(o, "!");
		fexpr(g, f->l, o);
		return;
	case F_TRUE:
		sb_puts(o, "1");
		return;
	case F_REF:
		if (!f->target) {
			GEN_ERROR(g, &f->loc, "named filters are defined by `filter NAME = ...` in a script or an imported module",
				  "unknown filter '%s%s%s'", f->module ? f->module : "",
				  f->module ? "." : "", f->name);
			sb_puts(o, "0");
		} else if (g->depth >= MAX_REF_DEPTH) {
			GEN_ERROR(g, &f->loc, NULL, "filter %s refers to itself", f->name);
			sb_puts(o, "0");
		} else {
			g->depth++;
			sb_puts(o, "(");
			fexpr(g, f->target, o);
			sb_puts(o, ")");
			g->depth--;
		}
		return;
	case F_PROTO:
		proto(g, f, o);
		return;
	case F_HOST:
	case F_NET:
		host_net(g, f, o);
		return;
	case F_PORT:
	case F_PORTRANGE:
		port(g, f, o);
		return;
	case F_CMP:
		relation(g, f, o);
		return;
	case F_CTX:
		if (!g->env->emit_ctx) {
			GEN_ERROR(g, &f->loc, "`vnt match` sees only packet bytes",
				  "context predicates (dev, cpu, pid, ...) cannot be used here");
			sb_puts(o, "0");
			return;
		}
		sb_puts(o, "(");
		if (g->env->emit_ctx(g->env, f, o) < 0)
			g->errors++;
		sb_puts(o, ")");
		return;
	case F_INNER:
	case F_OUTER:
		layer(g, f, o);
		return;
	}
}

bool vnt_filter_needs_packet(const struct vnt_fexpr *f)
{
	if (!f)
		return false;
	switch (f->kind) {
	case F_TRUE: case F_CTX: return false;
	case F_AND: case F_OR: return vnt_filter_needs_packet(f->l) || vnt_filter_needs_packet(f->r);
	case F_NOT: return vnt_filter_needs_packet(f->l);
	case F_REF: return vnt_filter_needs_packet(f->target);
	default: return true;
	}
}

static bool explicit_layer(const struct vnt_fexpr *f, int depth)
{
	if (!f || depth > MAX_REF_DEPTH)
		return false;
	if (f->kind == F_INNER || f->kind == F_OUTER || (f->kind == F_PROTO && f->proto == P_VXLAN))
		return true;
	if (f->kind == F_REF)
		return explicit_layer(f->target, depth + 1);
	return explicit_layer(f->l, depth) || explicit_layer(f->r, depth);
}

bool vnt_filter_explicit_layer(const struct vnt_fexpr *f)
{
	return explicit_layer(f, 0);
}

/* Primitives in f, named filters expanded; more than `max` counts as max + 1. */
static int primitives(const struct vnt_fexpr *f, int depth, int max)
{
	if (!f || depth > MAX_REF_DEPTH)
		return 0;
	switch (f->kind) {
	case F_TRUE: return 0;
	case F_AND: case F_OR: {
		int n = primitives(f->l, depth, max);
		return n > max ? n : n + primitives(f->r, depth, max - n);
	}
	case F_NOT: case F_INNER: case F_OUTER: return primitives(f->l, depth, max);
	case F_REF: return primitives(f->target, depth + 1, max);
	default: return 1;
	}
}

/* The filter function FNAME over p. With f4, FNAME takes d as well and
 * its expression reads through the fixed-offset view of a plain IPv4
 * packet (bpf-templates/vnt_f4_on.h). `inl` is its inline attribute. */
static int filter_fn(struct strbuf *out, const char *fname, const struct vnt_fexpr *f,
		     struct vnt_filter_env *env, bool f4, const char *inl)
{
	struct gen g = { .env = env };
	struct strbuf e;
	sb_init(&e);
	if (f)
		fexpr(&g, f, &e);
	else
		sb_puts(&e, "1");
	if (f4)
		sb_puts(out, "#include \"vnt_f4_on.h\"\n");
	sb_printf(out, "static %s int %s(struct vnt_pkt *p, const struct vnt_ev *ev%s)\n{\n"
		  "\t(void)p;\n\t(void)ev;\n", inl, fname, f4 ? ", const __u8 *d" : "");
	if (f4)
		sb_puts(out, "\t(void)d;\n");
	if (vnt_filter_needs_packet(f)) {
		if (g.layers)
			sb_puts(out, "\tconst __u16 vnt_l3off0 = p->l3off, vnt_et0 = p->ethertype;\n");
		sb_printf(out, "\tp->oob = 0;\n\tint r = %s;\n\treturn r && !p->oob;\n}\n", e.s);
	} else {
		sb_printf(out, "\treturn %s;\n}\n", e.s);
	}
	sb_puts(out, f4 ? "#include \"vnt_f4_off.h\"\n\n" : "\n");
	sb_free(&e);
	return g.errors ? -1 : 0;
}

int vnt_filter_gen(struct strbuf *out, const char *fname, const struct vnt_fexpr *f,
		   struct vnt_filter_env *env)
{
	return filter_fn(out, fname, f, env, false, "__always_inline");
}

/* Filters of up to this many primitives also get the fixed-offset form:
 * two copies of a long filter would cost verification time and BPF's
 * jump range for little (the saving is per primitive, the cost too). */
enum { F4_MAX_PRIMITIVES = 16 };

int vnt_filter_gen_top(struct strbuf *out, const char *fname, const struct vnt_fexpr *f,
		       struct vnt_filter_env *env)
{
	struct strbuf v;
	sb_init(&v);
	sb_printf(&v, "%s_v", fname);
	bool loop = vnt_filter_needs_packet(f) && !vnt_filter_explicit_layer(f);
	/* Plain IPv4 (most packets) at fixed offsets, FNAME_v4, when the
	 * filter is short; FNAME_v then sees only the other packets and is
	 * called rather than inlined (a four-hop script's clang time 0.79 ->
	 * 0.68 s, for one BPF call on the packets it sees). */
	bool f4 = loop && primitives(f, 0, F4_MAX_PRIMITIVES) <= F4_MAX_PRIMITIVES;
	int rc = filter_fn(out, v.s, f, env, false, f4 ? "__noinline" : "__always_inline");
	if (loop) {
		f4 = f4 && !rc;
		if (f4) {
			struct strbuf v4;
			sb_init(&v4);
			sb_printf(&v4, "%s4", v.s);
			rc |= filter_fn(out, v4.s, f, env, true, "__always_inline");
			sb_free(&v4);
		}
		sb_printf(out, "static __always_inline int %s(struct vnt_pkt *p, const struct vnt_ev *ev)\n{\n", fname);
		if (f4)
			sb_printf(out, "\tconst __u8 *d = vnt_f4_view(p);\n\tif (d)\n\t\treturn %s4(p, ev, d);\n", v.s);
		/* a loop, not two inlined copies: long filters stay within
		 * the jump range of BPF */
		sb_printf(out, "\t__u16 l3 = p->l3off, et = p->ethertype;\n"
			  "\tint r = 0;\n"
			  "#pragma nounroll\n"
			  "\tfor (int inner = 0; inner < 2 && !r; inner++) {\n"
			  "\t\tif (inner && !vnt_enter_inner(p))\n\t\t\tbreak;\n"
			  "\t\tr = %s(p, ev);\n\t}\n"
			  "\tp->l3off = l3;\n\tp->ethertype = et;\n\treturn r;\n}\n\n", v.s);
	} else {
		sb_printf(out, "static __always_inline int %s(struct vnt_pkt *p, const struct vnt_ev *ev)\n{\n"
			  "\treturn %s(p, ev);\n}\n\n", fname, v.s);
	}
	sb_free(&v);
	return rc;
}
