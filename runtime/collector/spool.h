/* The collector's spool: batches a store could not write (the server down,
 * refusing, or gone mid-run) kept on local disk instead of being dropped,
 * one file per batch, with a shell script that loads them when the server
 * is back. Counted, so that the dispatcher can say what is where. */
#ifndef VNT_SPOOL_H
#define VNT_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct vnt_spool {
	char *dir;              /* created on the first batch */
	uint64_t batches, rows, events, lost_rows, lost_events;
	unsigned seq;
	char first_reason[512];
};

/* dir is copied; nothing is created until a batch comes. */
int vnt_spool_init(struct vnt_spool *sp, const char *dir);
/* Keep one batch: `rows` rows of `table` in `format` (the file's
 * extension: "rowbinary", "native"; events counted also in
 * `events`), with the command that loads it: cmd_head, the file's name,
 * cmd_tail. On failure (disk full...) the rows are counted lost and -1
 * is returned. */
int vnt_spool_put(struct vnt_spool *sp, const char *table, const char *format, const void *body, size_t len,
		  uint64_t rows, uint64_t events, const char *cmd_head, const char *cmd_tail);
void vnt_spool_free(struct vnt_spool *sp);

#endif
