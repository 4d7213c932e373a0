/* Grammar of the vNetTracer language. A pure parser with locations and no
 * tolerated conflicts. Filters follow tcpdump's primitives; traces list hop
 * points and aggregations. See doc/vnt-lang.7 for the reference. */
%require "3.0"
%define api.pure full
%define api.prefix {vnt_yy}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {struct vnt_pstate *ps}

%code requires {
#include "lang/ast.h"
struct vnt_pstate;
}

%code {
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "lang/parse.h"
#include "lang/diag.h"
#include "lang/suggest.h"

int vnt_yylex(VNT_YYSTYPE *lval, VNT_YYLTYPE *lloc, void *scanner);
/* `hop w = tp_btf("sched_wakeup") where pid 42` inside a trace reads like a
 * condition on that hop, but a trace's `where` applies to every hop of the
 * trace: refused, so that a script never silently filters its packet hops
 * by another hop's condition. */
static void hop_where_error(struct vnt_pstate *ps, VNT_YYLTYPE l)
{
	ps->syntax_errors++; /* a matter of layout: vnt fmt must not move it to a line of its own */
	struct vnt_loc loc = vnt_mkloc(ps, l.first_line, l.first_column, l.first_line, l.first_column + 4);
	vnt_error(ps->diag, &loc,
		  "a hop's own condition belongs in a hop definition outside the trace, e.g. "
		  "`hop woken(p) = tp_btf(\"sched_wakeup\") where pid p`, used as `hop w = woken(42)`; "
		  "a `where` for the whole trace goes on a line of its own",
		  "this `where` would filter every hop of the trace, not only the hop before it");
}

static void vnt_yyerror(VNT_YYLTYPE *l, void *scanner, struct vnt_pstate *ps, const char *msg);

#define LOC(l) vnt_mkloc(ps, (l).first_line, (l).first_column, (l).last_line, (l).last_column)
/* a rule's span for lang/layout.h */
#define SPANL(l) ((struct vnt_lspan){ (l).first_line, (l).first_column, (l).last_line, (l).last_column })
#define SPAN(a, b) vnt_mkloc(ps, (a).first_line, (a).first_column, (b).last_line, (b).last_column)

static struct vnt_fexpr *fnew(enum vnt_fkind k, struct vnt_loc loc) { return vnt_fexpr_new(k, loc); }
static struct vnt_fexpr *fbin(enum vnt_fkind k, struct vnt_fexpr *l, struct vnt_fexpr *r, struct vnt_loc loc)
{
	struct vnt_fexpr *f = fnew(k, loc);
	f->l = l; f->r = r;
	return f;
}
static int parse_addr(struct vnt_pstate *ps, const char *s, int prefix, struct vnt_loc loc, struct vnt_addr *a);
static struct vnt_aexpr *abin(char op, struct vnt_aexpr *l, struct vnt_aexpr *r, struct vnt_loc loc)
{
	struct vnt_aexpr *a = vnt_aexpr_new(A_BINOP, loc);
	a->binop = op; a->l = l; a->r = r;
	return a;
}
static struct vnt_aexpr *aload(enum vnt_proto p, struct vnt_aexpr *off, uint64_t size, struct vnt_loc loc, struct vnt_pstate *ps)
{
	struct vnt_aexpr *a = vnt_aexpr_new(A_LOAD, loc);
	a->proto = p; a->l = off; a->size = (int)size;
	if (size != 1 && size != 2 && size != 4)
		vnt_error(ps->diag, &loc, "the size of a packet load is 1, 2 or 4 bytes",
			  "invalid load size %llu", (unsigned long long)size);
	return a;
}
static struct vnt_fexpr *qual(struct vnt_fexpr *f, enum vnt_proto p, enum vnt_dir d)
{
	f->proto = p; f->dir = d;
	return f;
}
static void add_trace_item(struct vnt_trace *t, struct vnt_trace *item);
static void hop_where_error(struct vnt_pstate *ps, VNT_YYLTYPE l);
static void remember(struct vnt_pstate *ps, const struct vnt_fexpr *f);
static void maybe_service(struct vnt_pstate *ps, struct vnt_fexpr *f);
static struct vnt_fexpr *implicit(struct vnt_pstate *ps, char *addr, int prefix, uint64_t num, struct vnt_loc loc);
static struct vnt_fexpr *service(struct vnt_pstate *ps, char *a, char *b, struct vnt_loc loc, struct vnt_loc nloc);
}

%union {
	char *str;
	uint64_t num;
	struct vnt_fexpr *f;
	struct vnt_aexpr *a;
	struct vnt_arg *arg;
	struct vnt_value *val;
	struct vnt_key *key;
	struct vnt_agg *agg;
	struct vnt_trace *trace;
	struct vnt_hop *hop;
	struct { char **v; int n; } params;
	struct { struct vnt_value *v[VNT_MAX_AGG_ARGS]; int n; } aggargs;
	int i;
	const char *cstr;
}

%token IMPORT "import" AS "as" TRACE "trace" WHERE "where" BY "by" AT "at"
%token EVERY "every" FOR "for" SAMPLE "sample" EVENTS "events" IF "if"
%token <str> FILTER "filter" HOP "hop"
%token AND "and" OR "or" NOT "not"
%token HOSTK "host" NETK "net" MASK "mask" PORT "port" PORTRANGE "portrange" PROTO "proto"
%token SRC "src" DST "dst"
%token IP "ip" IP6 "ip6" ARP "arp" TCP "tcp" UDP "udp" ICMP "icmp" ICMP6 "icmp6" SCTP "sctp"
%token VXLAN "vxlan" VNI "vni"
%token LEN "len" LESS "less" GREATER "greater" INNER "inner" OUTER "outer"
%token DEV "dev" IFINDEX "ifindex" NETNS "netns" CPU "cpu" PID "pid" COMM "comm" MARK "mark"
%token TRUEK "true"
%token EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>"
%token <str> ADDR4 "IPv4 address" ADDR6 "IPv6 address" STRING "string" IDENT "identifier"
%token <num> NUM "number" DURATION "duration"
%token BADNUM "malformed number" BADSTRING "unterminated string" BADCHAR "invalid character"
%token START_FILTER

%type <f> fexpr fterm fprim fnamed hn pp bare aggif
%type <a> aexpr
%type <i> dirq relop l3proto l4proto
%type <num> size_opt
%type <str> anyname addr
%type <cstr> keyword
%type <arg> args arglist arg
%type <params> params paramlist
%type <trace> stmts stmt
%type <val> value
%type <key> keys key atlist keylist
%type <agg> aggstmt
%type <aggargs> aggargs
%type <val> aggarg
%type <hop> hopuse

%destructor { free($$); } <str>
%destructor { vnt_fexpr_free($$); } <f>
%destructor { vnt_aexpr_free($$); } <a>
%destructor { vnt_args_free($$); } <arg>
/* Error recovery drops partial values: free every kind, not only strings. */
%destructor { vnt_trace_free($$); } <trace>
%destructor { vnt_hops_free($$); } <hop>
%destructor { vnt_aggs_free($$); } <agg>
%destructor { vnt_value_free($$); } <val>
%destructor { vnt_keys_free($$); } <key>
%destructor { for (int i = 0; i < $$.n; i++) free($$.v[i]); free($$.v); } <params>
%destructor { for (int i = 0; i < $$.n && i < VNT_MAX_AGG_ARGS; i++) vnt_value_free($$.v[i]); } <aggargs>

/* tcpdump gives `and` and `or` the same precedence, left to right. */
%left OR AND
%left '|'
%left '^'
%left '&'
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'

%%

input
	: START_FILTER fexpr       { ps->filter_result = $2; }
	| items
	;

items
	: %empty
	| items item                     { if (ps->layout) vnt_layout_item(ps->layout, SPANL(@2)); }
	;

item
	: IMPORT STRING                  { struct vnt_import *im = vnt_xcalloc(1, sizeof(*im));
	                                   im->path = $2; im->loc = LOC(@2);
	                                   struct vnt_import **p = &ps->mod->imports; while (*p) p = &(*p)->next; *p = im; }
	| IMPORT STRING AS anyname       { struct vnt_import *im = vnt_xcalloc(1, sizeof(*im));
	                                   im->path = $2; im->alias = $4; im->loc = LOC(@2);
	                                   struct vnt_import **p = &ps->mod->imports; while (*p) p = &(*p)->next; *p = im; }
	| FILTER IDENT '=' fexpr         { struct vnt_filterdef *fd = vnt_xcalloc(1, sizeof(*fd));
	                                   fd->doc = $1; fd->name = $2; fd->loc = LOC(@2); fd->expr = $4;
	                                   struct vnt_filterdef **p = &ps->mod->filters; while (*p) p = &(*p)->next; *p = fd; }
	| HOP IDENT '(' params ')' '=' anyname '(' args ')' hopwhere
	                                 { struct vnt_hopdef *hd = vnt_xcalloc(1, sizeof(*hd));
	                                   hd->doc = $1; hd->name = $2; hd->loc = LOC(@2);
	                                   hd->params = $4.v; hd->nparams = $4.n;
	                                   hd->attach.form = $7; hd->attach.loc = LOC(@7); hd->attach.args = $9;
	                                   hd->where = ps->filter_result; ps->filter_result = NULL;
	                                   struct vnt_hopdef **p = &ps->mod->hopdefs; while (*p) p = &(*p)->next; *p = hd; }
	| TRACE IDENT '{' stmts '}'      { $4->name = $2; $4->loc = LOC(@2); $4->broken = ps->stmt_error; ps->stmt_error = false;
	                                   struct vnt_trace **p = &ps->mod->traces; while (*p) p = &(*p)->next; *p = $4; }
	| ';'
	| error                          { ps->mod->broken = true; ps->stmt_error = false; }
	;

hopwhere
	: %empty                         { ps->filter_result = NULL; }
	| WHERE fexpr                    { ps->filter_result = $2; }
	;

params
	: %empty                         { $$.v = NULL; $$.n = 0; }
	| paramlist
	;
paramlist
	: IDENT                          { $$.v = vnt_xcalloc(1, sizeof(char *)); $$.v[0] = $1; $$.n = 1; }
	| paramlist ',' IDENT            { $$ = $1; $$.v = realloc($$.v, sizeof(char *) * (size_t)($$.n + 1)); $$.v[$$.n++] = $3; }
	;

args
	: %empty                         { $$ = NULL; }
	| arglist
	;
arglist
	: arg
	| arglist ',' arg                { struct vnt_arg *a = $1; while (a->next) a = a->next; a->next = $3; $$ = $1; }
	;
arg
	: STRING                         { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = L_STR; $$->str = $1; $$->loc = LOC(@1); }
	| NUM                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = L_NUM; $$->num = $1; $$->loc = LOC(@1); }
	| IDENT                          { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = L_IDENT; $$->str = $1; $$->loc = LOC(@1); }
	;

/* Names that are keywords in filters but fine as module or form names. */
anyname
	: IDENT
	| NETK    { $$ = vnt_xstrdup("net"); }
	| TCP     { $$ = vnt_xstrdup("tcp"); }
	| UDP     { $$ = vnt_xstrdup("udp"); }
	| IP      { $$ = vnt_xstrdup("ip"); }
	| IP6     { $$ = vnt_xstrdup("ip6"); }
	| ICMP    { $$ = vnt_xstrdup("icmp"); }
	| VXLAN   { $$ = vnt_xstrdup("vxlan"); }
	| DEV     { $$ = vnt_xstrdup("dev"); }
	| CPU     { $$ = vnt_xstrdup("cpu"); }
	;

/* ---- trace bodies ---- */

stmts
	: %empty                         { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); }
	| stmts stmt                     { if ($2 && $2->where && ps->hop_line == @2.first_line)
	                                       hop_where_error(ps, @2);
	                                   ps->hop_line = $2 && $2->hops ? @2.last_line : 0;
	                                   if ($2) add_trace_item($1, $2); $$ = $1;
	                                   if (ps->layout) vnt_layout_stmt(ps->layout, SPANL(@2)); }
	;

stmt
	: WHERE fexpr                    { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->where = $2; }
	| hopuse                         { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->hops = $1; }
	| aggstmt                        { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->aggs = $1; }
	| EVERY DURATION                 { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->every_ns = $2; $$->every_loc = LOC(@2);
	                                   if (!$2) { vnt_error(ps->diag, &$$->every_loc, NULL, "the interval must be longer than zero"); } }
	| FOR DURATION                   { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->for_ns = $2; $$->for_loc = LOC(@2);
	                                   if (!$2) { vnt_error(ps->diag, &$$->for_loc, NULL, "the duration must be longer than zero"); } }
	| SAMPLE NUM '/' NUM             { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->sample_loc = SPAN(@2, @4);
	                                   if ($2 != 1 || $4 == 0 || $4 > 1000000000ULL) {
	                                       vnt_error(ps->diag, &$$->sample_loc, "write `sample 1/N` with 1 <= N <= 1000000000",
	                                                 "invalid sampling rate %llu/%llu", (unsigned long long)$2, (unsigned long long)$4);
	                                       $$->sample_n = 1;
	                                   } else $$->sample_n = (uint32_t)$4; }
	| EVENTS                         { $$ = vnt_xcalloc(1, sizeof(struct vnt_trace)); $$->events = true; }
	| ';'                            { $$ = NULL; }
	| error                          { $$ = NULL; ps->stmt_error = true; }
	;

hopuse
	: HOP IDENT '=' anyname '(' args ')'
	                                 { free($1); $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = $2; $$->loc = LOC(@2);
	                                   $$->callee = $4; $$->callee_loc = LOC(@4); $$->args = $6; }
	| HOP IDENT '=' anyname '.' IDENT '(' args ')'
	                                 { free($1); $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = $2; $$->loc = LOC(@2);
	                                   $$->module = $4; $$->callee = $6; $$->callee_loc = SPAN(@4, @6); $$->args = $8; }
	;

aggstmt
	: IDENT '(' aggargs ')' aggif atlist keys
	                                 { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->fname = $1; $$->loc = LOC(@1);
	                                   $$->where = $5; $$->at = $6; $$->keys = $7; $$->fn = -1;
	                                   /* the checker reads them by the aggregation's signature */
	                                   memcpy($$->args, $3.v, sizeof($$->args)); $$->nargs = $3.n; }
	;

aggargs
	: %empty                         { memset(&$$, 0, sizeof($$)); }
	| aggarg                         { memset(&$$, 0, sizeof($$)); $$.v[0] = $1; $$.n = 1; }
	| aggargs ',' aggarg             { $$ = $1; if ($$.n < VNT_MAX_AGG_ARGS) $$.v[$$.n] = $3; else vnt_value_free($3); $$.n++; }
	;
aggarg
	: value
	| '-' NUM                        { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_NUM; $$->num = $2;
	                                   $$->negative = true; $$->loc = SPAN(@1, @2); }
	;

/* `count() if tcp[tcpflags] & tcp-syn != 0 by dport`: only the events the
 * filter accepts (the trace's own `where` applies first). */
aggif
	: %empty                         { $$ = NULL; }
	| IF fexpr                       { $$ = $2; }
	;

atlist
	: %empty                         { $$ = NULL; }
	| AT keylist                     { $$ = $2; }
	;
keys
	: %empty                         { $$ = NULL; }
	| BY keylist                     { $$ = $2; }
	;
keylist
	: key
	| keylist ',' key                { struct vnt_key *k = $1; while (k->next) k = k->next; k->next = $3; $$ = $1; }
	;
key
	: IDENT                          { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = $1; $$->loc = LOC(@1); }
	| HOP                            { free($1); $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("hop"); $$->loc = LOC(@1); }
	| DEV                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("dev"); $$->loc = LOC(@1); }
	| CPU                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("cpu"); $$->loc = LOC(@1); }
	| NETNS                          { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("netns"); $$->loc = LOC(@1); }
	| PID                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("pid"); $$->loc = LOC(@1); }
	| COMM                           { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("comm"); $$->loc = LOC(@1); }
	| IFINDEX                        { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("ifindex"); $$->loc = LOC(@1); }
	| MARK                           { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("mark"); $$->loc = LOC(@1); }
	| PROTO                          { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("proto"); $$->loc = LOC(@1); }
	| LEN                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup("len"); $$->loc = LOC(@1); }
	| keyword                        { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->name = vnt_xstrdup($1); $$->loc = LOC(@1); }
	;

/* Filter words written as keys (`by port`): the checker names the key
 * meant (`sport`, `dport`) instead of a bare syntax error. */
keyword
	: PORT { $$ = "port"; } | PORTRANGE { $$ = "portrange"; } | HOSTK { $$ = "host"; } | NETK { $$ = "net"; }
	| SRC { $$ = "src"; } | DST { $$ = "dst"; } | IP { $$ = "ip"; } | IP6 { $$ = "ip6"; } | ARP { $$ = "arp"; }
	| TCP { $$ = "tcp"; } | UDP { $$ = "udp"; } | ICMP { $$ = "icmp"; } | ICMP6 { $$ = "icmp6"; }
	| SCTP { $$ = "sctp"; } | VXLAN { $$ = "vxlan"; } | VNI { $$ = "vni"; }
	;

value
	: LEN                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_LEN; $$->loc = LOC(@1); }
	| NUM                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_NUM; $$->num = $1; $$->loc = LOC(@1); }
	| IDENT                          { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_FIELD; $$->a = $1; $$->loc = LOC(@1); }
	| CPU                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_FIELD; $$->a = vnt_xstrdup("cpu"); $$->loc = LOC(@1); }
	| PID                            { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_FIELD; $$->a = vnt_xstrdup("pid"); $$->loc = LOC(@1); }
	| IDENT '(' IDENT ',' IDENT ')'  { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->kind = V_LATENCY; $$->loc = SPAN(@1, @6);
	                                   $$->a = $3; $$->b = $5; $$->a_loc = LOC(@3); $$->b_loc = LOC(@5);
	                                   if (strcmp($1, "latency")) {
	                                       static const char *const fns[] = { "latency" };
	                                       char dym[64];
	                                       bool near = vnt_suggest($1, fns, 1, dym, sizeof(dym));
	                                       vnt_error(ps->diag, &$$->loc, near ? "did you mean 'latency'?" : "the only two-argument value is latency(HOP, HOP)",
	                                                 "unknown function '%s'", $1);
	                                   }
	                                   free($1); }
	;

/* ---- filters ---- */

fexpr
	: fterm
	| fexpr AND fexpr                { maybe_service(ps, $3); $$ = fbin(F_AND, $1, $3, SPAN(@1, @3)); }
	| fexpr OR fexpr                 { maybe_service(ps, $3); $$ = fbin(F_OR, $1, $3, SPAN(@1, @3)); }
	| fexpr AND bare                 { $$ = fbin(F_AND, $1, $3, SPAN(@1, @3)); }
	| fexpr OR bare                  { $$ = fbin(F_OR, $1, $3, SPAN(@1, @3)); }
	;

/* tcpdump's implicit qualifier: a bare address or number after `and` or
 * `or` takes the qualifiers of the last host, net or port primitive
 * ("host A or B" is "host A or host B", "tcp port 80 or 443" is "tcp port
 * 80 or tcp port 443"). */
bare
	: ADDR4                          { $$ = implicit(ps, $1, -1, 0, LOC(@1)); }
	| ADDR6                          { $$ = implicit(ps, $1, -1, 0, LOC(@1)); }
	| ADDR4 '/' NUM                  { $$ = implicit(ps, $1, (int)($3 > 128 ? 999 : $3), 0, SPAN(@1, @3)); }
	| ADDR6 '/' NUM                  { $$ = implicit(ps, $1, (int)($3 > 128 ? 999 : $3), 0, SPAN(@1, @3)); }
	| NUM                            { $$ = implicit(ps, NULL, -1, $1, LOC(@1)); }
	| NOT bare                       { $$ = fbin(F_NOT, $2, NULL, SPAN(@1, @2)); }
	;

fterm
	: fprim                          { remember(ps, $1); $$ = $1; }
	| NOT fterm                      { $$ = fbin(F_NOT, $2, NULL, SPAN(@1, @2)); }
	| '(' fexpr ')'                  { $$ = $2; }
	| INNER '(' fexpr ')'            { $$ = fbin(F_INNER, $3, NULL, SPAN(@1, @4)); }
	| OUTER '(' fexpr ')'            { $$ = fbin(F_OUTER, $3, NULL, SPAN(@1, @4)); }
	;

fprim
	: fnamed
	| TRUEK                          { $$ = fnew(F_TRUE, LOC(@1)); }
	| l3proto                        { $$ = fnew(F_PROTO, LOC(@1)); $$->proto = (enum vnt_proto)$1; }
	| l4proto                        { $$ = fnew(F_PROTO, LOC(@1)); $$->proto = (enum vnt_proto)$1; }
	| VXLAN                          { $$ = fnew(F_PROTO, LOC(@1)); $$->proto = P_VXLAN; $$->num = UINT64_MAX; }
	| VNI NUM                        { $$ = fnew(F_PROTO, LOC(@1)); $$->proto = P_VXLAN; $$->num = $2;
	                                   if ($2 > 0xffffff) vnt_error(ps->diag, &$$->loc, NULL, "VXLAN network identifier %llu does not fit in 24 bits", (unsigned long long)$2); }
	| l3proto PROTO NUM              { $$ = fnew(F_PROTO, SPAN(@1, @3)); $$->proto = (enum vnt_proto)$1; $$->num = $3; }
	| PROTO NUM                      { $$ = fnew(F_PROTO, SPAN(@1, @2)); $$->proto = P_NONE; $$->num = $2; }
	| hn                             { $$ = $1; }
	| dirq hn                        { $$ = $2; $$->dir = $1; $$->loc = SPAN(@1, @2); }
	| l3proto hn                     { $$ = qual($2, $1, DIR_ANY); $$->loc = SPAN(@1, @2); }
	| l3proto dirq hn                { $$ = qual($3, $1, $2); $$->loc = SPAN(@1, @3); }
	| pp                             { $$ = $1; }
	| dirq pp                        { $$ = $2; $$->dir = $1; $$->loc = SPAN(@1, @2); }
	| l4proto pp                     { $$ = qual($2, $1, DIR_ANY); $$->loc = SPAN(@1, @2); }
	| l4proto dirq pp                { $$ = qual($3, $1, $2); $$->loc = SPAN(@1, @3); }
	| aexpr relop aexpr              { $$ = fnew(F_CMP, SPAN(@1, @3)); $$->al = $1; $$->relop = (enum vnt_relop)$2; $$->ar = $3; }
	| LESS NUM                       { $$ = fnew(F_CMP, SPAN(@1, @2)); $$->al = vnt_aexpr_new(A_LEN, LOC(@1)); $$->relop = R_LE;
	                                   $$->ar = vnt_aexpr_new(A_NUM, LOC(@2)); $$->ar->num = $2; }
	| GREATER NUM                    { $$ = fnew(F_CMP, SPAN(@1, @2)); $$->al = vnt_aexpr_new(A_LEN, LOC(@1)); $$->relop = R_GE;
	                                   $$->ar = vnt_aexpr_new(A_NUM, LOC(@2)); $$->ar->num = $2; }
	| DEV STRING                     { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_DEV; $$->str = $2; }
	| DEV IDENT                      { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_DEV; $$->param = $2; }
	| COMM STRING                    { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_COMM; $$->str = $2;
	                                   if (strlen($2) > 15) vnt_error(ps->diag, &$$->loc, "the kernel keeps the first 15 characters of a command name", "command name \"%s\" is longer than 15 characters", $2); }
	| COMM IDENT                     { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_COMM; $$->param = $2; }
	| IFINDEX NUM                    { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_IFINDEX; $$->num = $2; }
	| NETNS NUM                      { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_NETNS; $$->num = $2; }
	| NETNS STRING                   { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_NETNS; $$->str = $2; }
	| CPU NUM                        { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_CPU; $$->num = $2; }
	| PID NUM                        { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_PID; $$->num = $2; }
	| PID IDENT                      { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_PID; $$->param = $2; }
	| MARK NUM                       { $$ = fnew(F_CTX, SPAN(@1, @2)); $$->ctx = C_MARK; $$->num = $2; }
	;

hn
	: HOSTK addr                     { $$ = fnew(F_HOST, SPAN(@1, @2)); parse_addr(ps, $2, -1, LOC(@2), &$$->addr); free($2); }
	| NETK addr                      { $$ = fnew(F_NET, SPAN(@1, @2)); parse_addr(ps, $2, -2, LOC(@2), &$$->addr); free($2); }
	| NETK addr '/' NUM              { $$ = fnew(F_NET, SPAN(@1, @4)); parse_addr(ps, $2, (int)($4 > 128 ? 999 : $4), SPAN(@2, @4), &$$->addr); free($2); }
	| NETK addr MASK addr            { $$ = fnew(F_NET, SPAN(@1, @4)); parse_addr(ps, $2, -3, LOC(@2), &$$->addr);
	                                   struct vnt_addr m; struct vnt_loc ml = LOC(@4);
	                                   if (!parse_addr(ps, $4, -1, ml, &m)) {
	                                       int bits = 0, seen0 = 0, ok = m.family == $$->addr.family;
	                                       for (int i = 0; i < (m.family == 4 ? 4 : 16); i++)
	                                           for (int b = 7; b >= 0; b--) {
	                                               if (m.bytes[i] >> b & 1) { if (seen0) ok = 0; bits++; } else seen0 = 1;
	                                           }
	                                       if (!ok) vnt_error(ps->diag, &ml, "a mask is contiguous ones, like 255.255.0.0", "non-contiguous or mismatched netmask");
	                                       $$->addr.prefix = bits;
	                                   }
	                                   free($2); free($4); }
	;

pp
	: PORT NUM                       { $$ = fnew(F_PORT, SPAN(@1, @2)); $$->port_lo = $$->port_hi = (unsigned)$2;
	                                   if ($2 > 65535) vnt_error(ps->diag, &$$->loc, NULL, "port %llu is out of range 0-65535", (unsigned long long)$2); }
	| PORT IDENT                     { $$ = service(ps, $2, NULL, SPAN(@1, @2), LOC(@2)); }
	| PORT IDENT '-' IDENT           { $$ = service(ps, $2, $4, SPAN(@1, @4), SPAN(@2, @4)); }
	| PORTRANGE NUM '-' NUM          { $$ = fnew(F_PORTRANGE, SPAN(@1, @4)); $$->port_lo = (unsigned)$2; $$->port_hi = (unsigned)$4;
	                                   if ($2 > 65535 || $4 > 65535) vnt_error(ps->diag, &$$->loc, NULL, "port range %llu-%llu is out of range 0-65535", (unsigned long long)$2, (unsigned long long)$4);
	                                   else if ($2 > $4) vnt_error(ps->diag, &$$->loc, "write the lower port first", "empty port range %llu-%llu", (unsigned long long)$2, (unsigned long long)$4); }
	;

fnamed
	: IDENT                          { $$ = fnew(F_REF, LOC(@1)); $$->name = $1; }
	| anyname '.' IDENT              { $$ = fnew(F_REF, SPAN(@1, @3)); $$->module = $1; $$->name = $3; }
	;

dirq
	: SRC                            { $$ = DIR_SRC; }
	| DST                            { $$ = DIR_DST; }
	| SRC OR DST                     { $$ = DIR_SRC_OR_DST; }
	| SRC AND DST                    { $$ = DIR_SRC_AND_DST; }
	;

l3proto
	: IP                             { $$ = P_IP; }
	| IP6                            { $$ = P_IP6; }
	| ARP                            { $$ = P_ARP; }
	;
l4proto
	: TCP                            { $$ = P_TCP; }
	| UDP                            { $$ = P_UDP; }
	| ICMP                           { $$ = P_ICMP; }
	| ICMP6                          { $$ = P_ICMP6; }
	| SCTP                           { $$ = P_SCTP; }
	;

addr
	: ADDR4
	| ADDR6
	| NUM                            { char b[32]; snprintf(b, sizeof b, "%llu", (unsigned long long)$1); $$ = vnt_xstrdup(b); }
	;

relop
	: '>'   { $$ = R_GT; }
	| '<'   { $$ = R_LT; }
	| GE    { $$ = R_GE; }
	| LE    { $$ = R_LE; }
	| '='   { $$ = R_EQ; }
	| EQ    { $$ = R_EQ; }
	| NE    { $$ = R_NE; }
	;

aexpr
	: NUM                            { $$ = vnt_aexpr_new(A_NUM, LOC(@1)); $$->num = $1; }
	| LEN                            { $$ = vnt_aexpr_new(A_LEN, LOC(@1)); }
	| l3proto '[' aexpr size_opt ']' { $$ = aload((enum vnt_proto)$1, $3, $4, SPAN(@1, @5), ps); }
	| l4proto '[' aexpr size_opt ']' { $$ = aload((enum vnt_proto)$1, $3, $4, SPAN(@1, @5), ps); }
	| aexpr '+' aexpr                { $$ = abin('+', $1, $3, SPAN(@1, @3)); }
	| aexpr '-' aexpr                { $$ = abin('-', $1, $3, SPAN(@1, @3)); }
	| aexpr '*' aexpr                { $$ = abin('*', $1, $3, SPAN(@1, @3)); }
	| aexpr '/' aexpr                { $$ = abin('/', $1, $3, SPAN(@1, @3)); }
	| aexpr '%' aexpr                { $$ = abin('%', $1, $3, SPAN(@1, @3)); }
	| aexpr '&' aexpr                { $$ = abin('&', $1, $3, SPAN(@1, @3)); }
	| aexpr '|' aexpr                { $$ = abin('|', $1, $3, SPAN(@1, @3)); }
	| aexpr '^' aexpr                { $$ = abin('^', $1, $3, SPAN(@1, @3)); }
	| aexpr SHL aexpr                { $$ = abin('<', $1, $3, SPAN(@1, @3)); }
	| aexpr SHR aexpr                { $$ = abin('>', $1, $3, SPAN(@1, @3)); }
	| '(' aexpr ')'                  { $$ = $2; }
	;

size_opt
	: %empty                         { $$ = 1; }
	| ':' NUM                        { $$ = $2; }
	;

%%

/* A token as people write it: keywords and punctuation in backquotes,
 * kinds of token (identifier, number...) as words. */
static void token_name(yysymbol_kind_t k, char *buf, size_t n)
{
	if (k == YYSYMBOL_YYEOF) {
		snprintf(buf, n, "the end of the file");
		return;
	}
	const char *s = yysymbol_name(k);
	size_t l = strlen(s);
	static const char *const kinds[] = { "IPv4 address", "IPv6 address", "string", "identifier", "number",
					     "duration", "malformed number", "unterminated string", "invalid character",
					     NULL };
	for (int i = 0; kinds[i]; i++)
		if (!strcmp(s, kinds[i])) {
			snprintf(buf, n, "%s %s", strchr("aeiou", s[0]) ? "an" : "a", s);
			return;
		}
	if (l >= 2 && (s[0] == '"' || s[0] == '\''))
		snprintf(buf, n, "`%.*s`", (int)l - 2, s + 1);
	else
		snprintf(buf, n, "`%s`", s);
}

static bool is_relop(yysymbol_kind_t k)
{
	return k == YYSYMBOL_EQ || k == YYSYMBOL_NE || k == YYSYMBOL_LE || k == YYSYMBOL_GE ||
	       k == YYSYMBOL_YYUNDEF || !strcmp(yysymbol_name(k), "'<'") || !strcmp(yysymbol_name(k), "'>'") ||
	       !strcmp(yysymbol_name(k), "'='");
}

/* Syntax errors: what was found and what could come there, in words; at
 * the end of the previous token when the offending one starts a later
 * line (a filter missing its end is not the next line's fault). */
static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct vnt_pstate *ps)
{
	(void)scanner;
	ps->syntax_errors++;
	yysymbol_kind_t exp[YYNTOKENS], look = yypcontext_token(ctx);
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	const VNT_YYLTYPE *l = yypcontext_location(ctx);
	struct vnt_loc loc = LOC(*l);
	bool after = ps->prev_line > 0 && l->first_line > ps->prev_line;
	if (after)
		loc = vnt_mkloc(ps, ps->prev_line, ps->prev_end_col, ps->prev_line, ps->prev_end_col + 1);
	char found[160], list[512] = "";
	token_name(look, found, sizeof(found));
	if (look == YYSYMBOL_IDENT || look == YYSYMBOL_NUM || look == YYSYMBOL_ADDR4 || look == YYSYMBOL_ADDR6 ||
	    look == YYSYMBOL_BADNUM || look == YYSYMBOL_BADCHAR || look == YYSYMBOL_STRING) {
		/* the token as written: `count`, not "an identifier" */
		const char *t = ps->src->text;
		for (int ln = 1; ln < l->first_line && *t; t++)
			if (*t == '\n')
				ln++;
		int w = l->last_line == l->first_line ? l->last_column - l->first_column : 0;
		if (w > 0 && w < 60 && (size_t)(l->first_column - 1) < strlen(t))
			snprintf(found, sizeof(found), "`%.*s`", w, t + l->first_column - 1);
	}
	bool relop = false;
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		char t[64];
		token_name(exp[i], t, sizeof(t));
		relop |= is_relop(exp[i]);
		int w = i >= 8 ? 0 : snprintf(list + k, sizeof(list) - k, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", t);
		k += w > 0 && (size_t)w < sizeof(list) - k ? (size_t)w : 0;
	}
	if (relop && !is_relop(look))
		snprintf(list, sizeof(list), "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)");
	const char *hint = NULL;
	bool bad = true;
	if (look == YYSYMBOL_BADNUM)
		hint = "numbers are decimal or 0x-hex; durations take a unit: ns, us, ms, s, m, h";
	else if (look == YYSYMBOL_BADSTRING)
		hint = "close the string with '\"' on the same line";
	else if (look == YYSYMBOL_BADCHAR)
		hint = "remove it, or put it inside a string";
	else
		bad = false;
	if (!hint && relop && !is_relop(look))
		hint = "a packet field or an arithmetic expression is compared with ==, !=, <, <=, > or >=; "
		       "to test flags, compare with 0: `tcp[tcpflags] & tcp-syn != 0`";
	if (bad) {   /* what is wrong is the token itself */
		if (look == YYSYMBOL_BADSTRING)
			vnt_error(ps->diag, &loc, hint, "syntax error: unterminated string");
		else
			vnt_error(ps->diag, &loc, hint, "syntax error: %s %s",
				  look == YYSYMBOL_BADNUM ? "malformed number" : "invalid character", found);
		return 0;
	}
	if (n <= 0 || (n > 8 && !(relop && !is_relop(look))))
		vnt_error(ps->diag, &loc, hint, "syntax error: unexpected %s%s", found, after ? " on the next line" : "");
	else if (after)
		vnt_error(ps->diag, &loc, hint, "syntax error: expected %s at the end of this line, found %s on the next",
			  list, found);
	else
		vnt_error(ps->diag, &loc, hint, "syntax error: expected %s, found %s", list, found);
	return 0;
}

static void vnt_yyerror(VNT_YYLTYPE *l, void *scanner, struct vnt_pstate *ps, const char *msg)
{
	(void)scanner;
	ps->syntax_errors++;
	struct vnt_loc loc = LOC(*l);
	const char *hint = NULL;
	if (strstr(msg, "malformed number"))
		hint = "numbers are decimal or 0x-hex; durations take a unit: ns, us, ms, s, m, h";
	else if (strstr(msg, "unterminated string"))
		hint = "close the string with '\"' on the same line";
	else if (strstr(msg, "invalid character"))
		hint = "remove it, or put it inside a string";
	vnt_error(ps->diag, &loc, hint, "%s", msg);
}

/* prefix: -1 host (full length), -2 tcpdump-style partial net ("10.10"),
 * -3 net followed by mask, else an explicit prefix length. */
static int parse_addr(struct vnt_pstate *ps, const char *s, int prefix, struct vnt_loc loc, struct vnt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a->bytes) != 1) {
			vnt_error(ps->diag, &loc, NULL, "invalid IPv6 address '%s'", s);
			return -1;
		}
		a->family = 6;
		a->prefix = prefix >= 0 ? prefix : 128;
		if (a->prefix > 128) {
			vnt_error(ps->diag, &loc, NULL, "prefix length of an IPv6 network is at most 128");
			return -1;
		}
		return 0;
	}
	unsigned parts[4] = { 0 };
	int n = 0;
	const char *p = s;
	while (*p && n < 4) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || v > 255) {
			vnt_error(ps->diag, &loc, NULL, "invalid IPv4 address '%s'", s);
			return -1;
		}
		parts[n++] = (unsigned)v;
		p = end;
		if (*p == '.')
			p++;
	}
	a->family = 4;
	for (int i = 0; i < 4; i++)
		a->bytes[i] = (uint8_t)parts[i];
	if (prefix == -1 && n != 4) {
		vnt_error(ps->diag, &loc, "a host is a full address like 10.0.0.1; use `net` for a network", "incomplete IPv4 address '%s'", s);
		return -1;
	}
	if (prefix == -2)
		a->prefix = n * 8;   /* tcpdump: "net 10.10" is 10.10.0.0/16 */
	else if (prefix < 0)
		a->prefix = 32;
	else
		a->prefix = prefix;
	if (a->prefix > 32) {
		vnt_error(ps->diag, &loc, NULL, "prefix length of an IPv4 network is at most 32");
		return -1;
	}
	/* tcpdump refuses host bits under the mask; so do we. */
	for (int bit = a->prefix; bit < 32; bit++)
		if (a->bytes[bit / 8] >> (7 - bit % 8) & 1) {
			vnt_error(ps->diag, &loc, "write the network address, e.g. 10.1.0.0/16",
				  "non-network bits set in '%s/%d'", s, a->prefix);
			return -1;
		}
	return 0;
}

static void add_trace_item(struct vnt_trace *t, struct vnt_trace *it)
{
	if (it->where) {
		if (t->where) {
			struct vnt_fexpr *f = vnt_fexpr_new(F_AND, it->where->loc);
			f->l = t->where;
			f->r = it->where;
			t->where = f;
		} else {
			t->where = it->where;
		}
	}
	if (it->hops) {
		struct vnt_hop **p = &t->hops;
		while (*p) p = &(*p)->next;
		*p = it->hops;
	}
	if (it->aggs) {
		struct vnt_agg **p = &t->aggs;
		while (*p) p = &(*p)->next;
		*p = it->aggs;
	}
	if (it->every_ns) { t->every_ns = it->every_ns; t->every_loc = it->every_loc; }
	if (it->for_ns) { t->for_ns = it->for_ns; t->for_loc = it->for_loc; }
	if (it->sample_n) { t->sample_n = it->sample_n; t->sample_loc = it->sample_loc; }
	t->events |= it->events;
	free(it);
}

static void remember(struct vnt_pstate *ps, const struct vnt_fexpr *f)
{
	if (f->kind == F_HOST || f->kind == F_NET || f->kind == F_PORT || f->kind == F_PORTRANGE) {
		ps->lastq.kind = f->kind;
		ps->lastq.proto = f->proto;
		ps->lastq.dir = f->dir;
	}
}

/* A bare address (addr) or number after `and`/`or`: the last primitive's
 * qualifiers, as tcpdump reads it. prefix: -1 none, else ADDR/prefix. */
static struct vnt_fexpr *implicit(struct vnt_pstate *ps, char *addr, int prefix, uint64_t num, struct vnt_loc loc)
{
	enum vnt_fkind k = ps->lastq.kind;
	struct vnt_fexpr *f = NULL;
	char shown[64];
	if (addr)
		snprintf(shown, sizeof(shown), "%s%s", addr, prefix >= 0 ? "/..." : "");
	else
		snprintf(shown, sizeof(shown), "%llu", (unsigned long long)num);
	if (addr && k == F_HOST && prefix < 0) {
		f = fnew(F_HOST, loc);
		parse_addr(ps, addr, -1, loc, &f->addr);
	} else if (addr && k == F_NET) {
		f = fnew(F_NET, loc);
		parse_addr(ps, addr, prefix >= 0 ? prefix : -2, loc, &f->addr);
	} else if (!addr && k == F_PORT) {
		f = fnew(F_PORT, loc);
		f->port_lo = f->port_hi = (unsigned)num;
		if (num > 65535)
			vnt_error(ps->diag, &loc, NULL, "port %llu is out of range 0-65535", (unsigned long long)num);
	} else {
		char hint[256];
		snprintf(hint, sizeof(hint), "write `%s %s`; a bare %s after `and` or `or` takes the qualifiers of the %s before it",
			 addr ? (prefix >= 0 ? "net" : "host") : "port", shown, addr ? "address" : "number",
			 addr ? "host or net" : "port");
		vnt_error(ps->diag, &loc, hint, "'%s' needs a qualifier here", shown);
		free(addr);
		return fnew(F_TRUE, loc);
	}
	f->proto = ps->lastq.proto;
	f->dir = ps->lastq.dir;
	free(addr);
	return f;
}

/* `port NAME` (`port ftp-data`: a and b): the service's port. */
static struct vnt_fexpr *service(struct vnt_pstate *ps, char *a, char *b, struct vnt_loc loc, struct vnt_loc nloc)
{
	char name[128];
	snprintf(name, sizeof(name), "%s%s%s", a, b ? "-" : "", b ? b : "");
	free(a);
	free(b);
	struct vnt_fexpr *f = fnew(F_PORT, loc);
	int port = vnt_service_port(name, &f->svc_protos);
	if (port < 0) {
		const char *names[64];
		int n = vnt_service_names(names, 64);
		char dym[256], list[1024], hint[1400];
		vnt_name_list(names, n, list, sizeof(list));
		bool near = vnt_suggest(name, names, n, dym, sizeof(dym));
		snprintf(hint, sizeof(hint), "%s%s%swrite the port number, or one of the service names vnt knows: %s",
			 near ? "did you mean " : "", near ? dym : "", near ? "? " : "", list);
		vnt_error(ps->diag, &nloc, hint, "unknown service '%s'", name);
		port = 0;
	}
	f->port_lo = f->port_hi = (unsigned)port;
	f->svc = vnt_xstrdup(name);
	return f;
}

/* "port 22 or https": a bare name after `and`/`or` is a filter, or, if
 * there is no such filter, a service of the port primitive before it
 * (lang/check.c decides, once every filter is known). */
static void maybe_service(struct vnt_pstate *ps, struct vnt_fexpr *f)
{
	if (f->kind == F_REF && !f->module && ps->lastq.kind == F_PORT && vnt_service_port(f->name, NULL) >= 0) {
		f->maybe_port = true;
		f->port_proto = ps->lastq.proto;
		f->port_dir = ps->lastq.dir;
	}
}
