/* The abstract syntax tree of a .vnt script.
 *
 * One tree per source file; imports become child `struct vnt_module`s.
 * Every node carries its source location so later passes can report
 * errors where the user wrote the offending text. */
#ifndef VNT_AST_H
#define VNT_AST_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "lang/bounds.h"

struct vnt_loc {
	const struct vnt_source *src;
	int line, col;      /* 1-based */
	int end_line, end_col;
};

/* ---- filter expressions (tcpdump-like predicates) ---- */

enum vnt_fkind {
	F_AND, F_OR, F_NOT,
	F_TRUE,
	F_REF,          /* a named filter: name / module.name */
	F_PROTO,        /* ip, ip6, arp, tcp, udp, icmp, icmp6, vxlan */
	F_HOST,         /* [ip|ip6|arp] [dir] host ADDR */
	F_NET,          /* [ip|ip6|arp] [dir] net ADDR/LEN */
	F_PORT,         /* [tcp|udp] [dir] port N */
	F_PORTRANGE,    /* [tcp|udp] [dir] portrange A-B */
	F_CMP,          /* arithmetic comparison: len > 100, tcp[13] & 2 != 0 */
	F_CTX,          /* context: dev, ifindex, netns, cpu, pid, comm, mark */
	F_INNER,        /* inner(expr): match on the VXLAN-encapsulated packet */
	F_OUTER,        /* outer(expr): match on the outermost headers */
};

enum vnt_dir { DIR_ANY = 0, DIR_SRC, DIR_DST, DIR_SRC_OR_DST, DIR_SRC_AND_DST };

/* Protocol qualifiers, values shared with the filter code generator. */
enum vnt_proto {
	P_NONE = 0, P_IP, P_IP6, P_ARP, P_TCP, P_UDP, P_ICMP, P_ICMP6, P_SCTP, P_VXLAN,
};

enum vnt_ctxkey { C_DEV, C_IFINDEX, C_NETNS, C_CPU, C_PID, C_COMM, C_MARK };

enum vnt_aop { A_NUM, A_LEN, A_LOAD, A_BINOP, A_PARAM };

/* Arithmetic expression inside a filter (libpcap's "arth"). */
struct vnt_aexpr {
	enum vnt_aop op;
	struct vnt_loc loc;
	uint64_t num;                 /* A_NUM */
	enum vnt_proto proto;         /* A_LOAD: ether? no: ip, ip6, tcp, udp, icmp, icmp6 */
	int size;                     /* A_LOAD: 1, 2 or 4 */
	char binop;                   /* A_BINOP: + - * / & | ^ < (<<) > (>>) % */
	struct vnt_aexpr *l, *r;      /* A_BINOP operands, A_LOAD: l = offset */
	char *param;                  /* A_PARAM: hop/filter parameter name */
};

enum vnt_relop { R_EQ, R_NE, R_LT, R_LE, R_GT, R_GE };

struct vnt_addr {
	int family;                   /* 4 or 6 */
	uint8_t bytes[16];
	int prefix;                   /* 32/128 for host */
};

struct vnt_fexpr {
	enum vnt_fkind kind;
	struct vnt_loc loc;
	struct vnt_fexpr *l, *r;      /* AND/OR: both; NOT/INNER/OUTER: l */
	/* F_REF */
	char *module;                 /* NULL: local */
	char *name;
	/* F_PROTO / qualifiers */
	enum vnt_proto proto;
	enum vnt_dir dir;
	/* F_HOST, F_NET */
	struct vnt_addr addr;
	/* F_PORT, F_PORTRANGE */
	unsigned port_lo, port_hi;
	/* F_CMP */
	enum vnt_relop relop;
	struct vnt_aexpr *al, *ar;
	/* F_CTX */
	enum vnt_ctxkey ctx;
	char *str;                    /* dev / comm value, or NULL */
	uint64_t num;
	char *param;                  /* value given by a hop parameter */
	/* filled by the checker for F_REF */
	struct vnt_fexpr *target;
	/* F_REF right after `and`/`or` following a port primitive: if no such
	 * filter exists and it names a service, it is that port ("port 22 or
	 * https"), with these qualifiers (tcpdump's implicit qualifier) */
	bool maybe_port;
	enum vnt_proto port_proto;
	enum vnt_dir port_dir;
	/* F_PORT written as a service name: the name, and the protocols
	 * /etc/services defines it for (VNT_SVC_* below): without a
	 * qualifier, `port ftp-data` is TCP's port 20 only, as in tcpdump */
	char *svc;
	unsigned svc_protos;
};
#define VNT_SVC_TCP 1u
#define VNT_SVC_UDP 2u

/* ---- values, hops, aggregations ---- */

enum vnt_lit { L_STR, L_NUM, L_IDENT };
struct vnt_arg {
	enum vnt_lit kind;
	struct vnt_loc loc;
	char *str;                    /* L_STR, L_IDENT */
	uint64_t num;
	struct vnt_arg *next;
};

/* A raw attach form: tp_btf("x"), tracepoint("cat:name"), tc_ingress(dev), ... */
struct vnt_attach {
	char *form;                   /* name as written */
	struct vnt_loc loc;
	struct vnt_arg *args;
};

/* A hop point definition: `hop NAME(p1, p2) = form(args) [where filter]` */
struct vnt_hopdef {
	char *name;
	struct vnt_loc loc;
	char **params;
	int nparams;
	struct vnt_attach attach;
	struct vnt_fexpr *where;      /* may be NULL */
	char *doc;                    /* the comment block above it */
	struct vnt_hopdef *next;
};

struct vnt_filterdef {
	char *name;
	struct vnt_loc loc;
	struct vnt_fexpr *expr;
	char *doc;
	struct vnt_filterdef *next;
};

/* A hop inside a trace: `hop tx = module.def(args)` or `hop tx = form(args)` */
struct vnt_hop {
	char *name;
	struct vnt_loc loc;
	char *module;                 /* NULL if local or raw form */
	char *callee;                 /* def name or raw form name */
	struct vnt_loc callee_loc;
	struct vnt_arg *args;
	struct vnt_hop *next;
	/* resolved by the checker */
	const struct vnt_hopdef *def; /* NULL: raw attach form */
	int id;                       /* global hop id */
};

enum vnt_vkind { V_LEN, V_LATENCY, V_NUM, V_FIELD };
struct vnt_value {
	enum vnt_vkind kind;
	struct vnt_loc loc;
	char *a, *b;                  /* V_LATENCY: hop names; V_FIELD: field name in a */
	struct vnt_loc a_loc, b_loc;
	uint64_t num;
	bool negative;                /* V_NUM written with a minus (lhist bounds) */
	const struct vnt_hop *ha, *hb; /* resolved */
};


struct vnt_key {
	char *name;
	struct vnt_loc loc;
	struct vnt_key *next;
};

struct vnt_agg {
	struct vnt_loc loc;
	char *fname;                  /* as written: count, hist, ... */
	struct vnt_value *args[VNT_MAX_AGG_ARGS];   /* as written */
	int nargs;                    /* arguments written (more than fit are counted) */
	/* set by the checker */
	int fn;                       /* index in the spec's aggregations, -1 unknown */
	bool breakdown;               /* breakdown(): the trace's whole path, no aggregation kind */
	const struct vnt_value *val;  /* the value argument, or NULL (points into args) */
	int64_t num[VNT_MAX_AGG_ARGS];   /* the number arguments, in order */
	int nnum;
	struct vnt_key *keys;
	struct vnt_key *at;           /* `at hop, hop`: restrict to these hops */
	struct vnt_fexpr *where;      /* `if FILTER`: only the events it accepts, or NULL */
	struct vnt_agg *next;
};

struct vnt_trace {
	char *name;
	struct vnt_loc loc;
	struct vnt_fexpr *where;      /* combined with AND over all `where`s */
	struct vnt_hop *hops;
	struct vnt_agg *aggs;
	uint64_t every_ns, for_ns;    /* 0: unset */
	struct vnt_loc every_loc, for_loc;
	uint32_t sample_n;            /* 1/N; 0 or 1: every packet */
	const struct vnt_agg *breakdown; /* set by the checker: breakdown() of the path */
	bool events;                  /* `events`: raw per-hop records to the ring buffer */
	struct vnt_loc sample_loc;
	bool broken;                  /* a statement of it did not parse: what it lacks is not reported again */
	struct vnt_trace *next;
};

struct vnt_import {
	char *path;                   /* as written */
	char *alias;                  /* `as NAME`, or the module's base name */
	struct vnt_loc loc;
	struct vnt_module *mod;       /* resolved */
	struct vnt_import *next;
};

struct vnt_source {
	char *path;                   /* as shown in diagnostics */
	char *text;                   /* whole file, NUL-terminated */
	size_t len;
};

struct vnt_module {
	char *name;                   /* base name: "net" for net.vnt */
	struct vnt_source *src;
	char *doc;                    /* leading comment block */
	struct vnt_import *imports;
	struct vnt_filterdef *filters;
	struct vnt_hopdef *hopdefs;
	struct vnt_trace *traces;
	bool broken;                  /* a definition of it did not parse (names it lacks are not reported) */
	struct vnt_module *next_loaded; /* list of all loaded modules (owner) */
	int visiting;                 /* imports: 0 new, 1 loading, 2 done */
};

/* constructors / destructors (ast.c) */
void *vnt_xcalloc(size_t n, size_t sz);
void *vnt_xrealloc(void *p, size_t sz);
char *vnt_xstrdup(const char *s);
void vnt_fexpr_free(struct vnt_fexpr *f);
void vnt_aexpr_free(struct vnt_aexpr *a);
void vnt_module_free(struct vnt_module *m);
void vnt_args_free(struct vnt_arg *a);
void vnt_keys_free(struct vnt_key *k);
void vnt_value_free(struct vnt_value *v);
void vnt_hops_free(struct vnt_hop *h);
void vnt_aggs_free(struct vnt_agg *a);
void vnt_trace_free(struct vnt_trace *t);   /* and the traces after it */
struct vnt_fexpr *vnt_fexpr_new(enum vnt_fkind k, struct vnt_loc loc);
struct vnt_aexpr *vnt_aexpr_new(enum vnt_aop op, struct vnt_loc loc);

#endif
