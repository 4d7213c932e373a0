/* Grammar of the vNetTracer language. A pure parser with locations and no
 * tolerated conflicts. Filters follow tcpdump's primitives; traces list hop
 * points and aggregations. See doc/vnt-lang.7 for the reference. */
%require "3.0"
%define api.pure full
%define api.prefix {vnt_yy}
%define parse.error detailed
%locations
%expect 0
%param {void *scanner}
%parse-param {struct vnt_pstate *ps}

%code requires {
#include "ast.h"
struct vnt_pstate;
}

%code {
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"
#include "diag.h"

int vnt_yylex(VNT_YYSTYPE *lval, VNT_YYLTYPE *lloc, void *scanner);
static void vnt_yyerror(VNT_YYLTYPE *l, void *scanner, struct vnt_pstate *ps, const char *msg);

#define LOC(l) vnt_mkloc(ps, (l).first_line, (l).first_column, (l).last_line, (l).last_column)
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
	struct { struct vnt_value *first; int64_t nums[3]; int n; int bad; struct vnt_loc badloc; } aggargs;
	int i;
}

%token IMPORT "import" AS "as" TRACE "trace" WHERE "where" BY "by" AT "at"
%token EVERY "every" FOR "for" SAMPLE "sample" EVENTS "events"
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

%type <f> fexpr fterm fprim fnamed hn pp
%type <a> aexpr
%type <i> dirq relop l3proto l4proto
%type <num> size_opt
%type <str> anyname addr
%type <arg> args arglist arg
%type <params> params paramlist
%type <trace> stmts stmt
%type <val> value
%type <key> keys key atlist keylist
%type <agg> aggstmt
%type <aggargs> aggargs
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
%destructor { vnt_value_free($$.first); } <aggargs>

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
	| items item
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
	| TRACE IDENT '{' stmts '}'      { $4->name = $2; $4->loc = LOC(@2);
	                                   struct vnt_trace **p = &ps->mod->traces; while (*p) p = &(*p)->next; *p = $4; }
	| ';'
	| error
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
	| stmts stmt                     { if ($2) add_trace_item($1, $2); $$ = $1; }
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
	| error                          { $$ = NULL; }
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
	: IDENT '(' aggargs ')' atlist keys
	                                 { $$ = vnt_xcalloc(1, sizeof(*$$)); $$->fname = $1; $$->loc = LOC(@1);
	                                   $$->at = $5; $$->keys = $6;
	                                   struct vnt_value *v = $3.first;
	                                   $$->nargs = $3.n; $$->val = v;
	                                   /* lhist's bounds: numbers after the value; the checker counts arguments */
	                                   for (int i = 0; i < $3.n - 1 && i < 3; i++) {
	                                       int64_t x = $3.nums[i];
	                                       if (i == 0) $$->lmin = x; else if (i == 1) $$->lmax = x; else $$->lstep = x;
	                                   }
	                                   if ($3.bad) vnt_error(ps->diag, &$3.badloc, "write lhist(VALUE, MIN, MAX, STEP) with numbers for the bounds",
	                                                         "only the first argument of an aggregation is a value");
	                                 }
	;

aggargs
	: %empty                         { memset(&$$, 0, sizeof($$)); }
	| value                          { memset(&$$, 0, sizeof($$)); $$.first = $1; $$.n = 1; }
	| aggargs ',' value              { $$ = $1;
	                                   if ($$.n == 0) { $$.first = $3; }
	                                   else {
	                                       if ($3->kind != V_NUM && !$$.bad) { $$.bad = 1; $$.badloc = $3->loc; }
	                                       if ($$.n - 1 < 3) $$.nums[$$.n - 1] = (int64_t)$3->num;
	                                       free($3->a); free($3->b); free($3);
	                                   }
	                                   $$.n++; }
	| aggargs ',' '-' NUM            { $$ = $1; if ($$.n >= 1 && $$.n - 1 < 3) $$.nums[$$.n - 1] = -(int64_t)$4; $$.n++; }
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
	                                       vnt_error(ps->diag, &$$->loc, "the only two-argument value is latency(HOP, HOP)",
	                                                 "unknown function '%s'", $1);
	                                   }
	                                   free($1); }
	;

/* ---- filters ---- */

fexpr
	: fterm
	| fexpr AND fexpr                { $$ = fbin(F_AND, $1, $3, SPAN(@1, @3)); }
	| fexpr OR fexpr                 { $$ = fbin(F_OR, $1, $3, SPAN(@1, @3)); }
	;

fterm
	: fprim
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

static void vnt_yyerror(VNT_YYLTYPE *l, void *scanner, struct vnt_pstate *ps, const char *msg)
{
	(void)scanner;
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
