/* A snapshot read back from its JSON document (runtime/output/snapshot_json.c). */
#ifndef VNT_SNAPSHOT_JSON_H
#define VNT_SNAPSHOT_JSON_H

#include <stddef.h>
#include "runtime/output/snapshot.h"

struct json_object;
struct vnt_snapshot_doc {
	struct json_object *root;       /* owns every string of snap */
	struct vnt_snapshot snap;
};

/* 0, or -1 with a sentence in err (d is then empty). */
int vnt_snapshot_from_json(const char *json, struct vnt_snapshot_doc *d, char *err, size_t errlen);
void vnt_snapshot_doc_free(struct vnt_snapshot_doc *d);

#endif
