/* Driver of tests/unit/prometheus.t: reads snapshot JSON documents (one
 * per file, as `vnt run -f json` writes them), renders each in the
 * Prometheus text format (runtime/output/prometheus.c) and prints them
 * merged into one page, as the metrics endpoints serve them. */
#include <stdio.h>
#include <stdlib.h>
#include "lib/fileutil.h"
#include "runtime/output/prometheus.h"
#include "runtime/output/snapshot_json.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: prometheus SNAPSHOT.json...\n");
		return 2;
	}
	int n = argc - 1, rc = 0;
	char **texts = calloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n && texts; i++) {
		size_t len;
		char err[256], *json = vnt_read_file(argv[i + 1], &len);
		struct vnt_snapshot_doc d;
		if (!json || vnt_snapshot_from_json(json, &d, err, sizeof(err))) {
			fprintf(stderr, "prometheus: %s: %s\n", argv[i + 1], json ? err : "cannot read");
			free(json);
			rc = 1;
			break;
		}
		texts[i] = vnt_prometheus_render(&d.snap);
		vnt_snapshot_doc_free(&d);
		free(json);
	}
	if (!rc) {
		char *page = vnt_prometheus_merge((const char *const *)texts, n);
		fputs(page ? page : "", stdout);
		free(page);
	}
	for (int i = 0; i < n && texts; i++)
		free(texts[i]);
	free(texts);
	return rc;
}
