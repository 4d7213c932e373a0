/* Parser state shared by the flex scanner and the bison grammar. */
#ifndef VNT_PARSE_H
#define VNT_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/layout.h"

struct vnt_pstate {
	struct vnt_source *src;
	struct vnt_diag *diag;
	struct vnt_module *mod;        /* being built */
	int line, col;
	/* documentation comments */
	char *pending_doc;             /* comment block not yet claimed */
	char *module_doc;              /* first block of the file, if separate */
	int nl_run;                    /* newlines since the last comment or token */
	int seen_token;
	/* filter-only mode: parse a single filter expression */
	struct vnt_fexpr *filter_result;
	int start_token;               /* injected first token, or 0 */
	/* the last two tokens' places: a syntax error found at the first
	 * token of a new line is reported at the end of the one before */
	int tok_line, tok_col, tok_end_col, prev_line, prev_col, prev_end_col;
	/* the last host/net/port primitive: tcpdump's implicit qualifier for
	 * a bare value after `and`/`or` ("host A or B") */
	struct { enum vnt_fkind kind; enum vnt_proto proto; enum vnt_dir dir; } lastq;
	bool stmt_error;               /* a statement of the trace being parsed did not parse */
	int hop_line;                  /* the line a trace's last statement, a hop, ended on (0: not a hop) */
	/* vnt fmt: tokens, items and statements recorded here (lang/layout.h),
	 * or NULL */
	struct vnt_layout *layout;
	int syntax_errors;             /* reported by the grammar (not by its actions' checks) */
};

/* lexer helpers (lexhelp.c) */
void vnt_lex_comment(struct vnt_pstate *ps, const char *text);
void vnt_lex_newline(struct vnt_pstate *ps);
int vnt_lex_duration(const char *text, uint64_t *ns);
char *vnt_lex_unquote(const char *text);
/* A well-known service's port (tcpdump resolves them from /etc/services;
 * vnt knows the common ones itself, lang/services.c); -1 if unknown. Its
 * protocols into *protos (VNT_SVC_TCP, VNT_SVC_UDP) if not NULL. */
int vnt_service_port(const char *name, unsigned *protos);
/* A service port under a protocol it is not defined for (`udp port
 * ftp-data`): an error to d, as tcpdump refuses it. Walks f. */
void vnt_service_check(struct vnt_diag *d, const struct vnt_fexpr *f);
/* The names vnt knows, into out (at most max); how many. */
int vnt_service_names(const char **out, int max);
/* A name after a port primitive that is no filter ("port 22 or https",
 * parser.y maybe_service) made the port it names; false if it is not. */
bool vnt_fexpr_to_service(struct vnt_fexpr *f);
/* The same for every such name of f, where no named filter exists
 * (a standalone filter: vnt match). */
void vnt_fexpr_services(struct vnt_fexpr *f, struct vnt_diag *d);

/* Parse a whole source file into a module. Returns NULL (with errors
 * reported through diag) when nothing usable could be built. */
struct vnt_module *vnt_parse_source(struct vnt_source *src, struct vnt_diag *diag);

/* Parse a standalone filter expression (for `vnt match`). */
struct vnt_fexpr *vnt_parse_filter(struct vnt_source *src, struct vnt_diag *diag);

/* Read a file into a source; NULL with errno on failure. */
struct vnt_source *vnt_source_read(const char *path, const char *display);
struct vnt_source *vnt_source_from_string(const char *name, const char *text);
void vnt_source_free(struct vnt_source *s);
/* Why vnt_source_read failed, for an errno it left. */
const char *vnt_source_strerror(int e);

/* A module's name from its path: base name without the extension. */
char *vnt_module_name(const char *path);

/* Convert bison's location to ours. */
struct vnt_loc vnt_mkloc(struct vnt_pstate *ps, int fl, int fc, int ll, int lc);

#endif
