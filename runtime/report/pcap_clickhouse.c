/* vnt report --pcap over a ClickHouse store (pcap.h): the run's events
 * with pkt_link > 0 (schema 2: 1 + the link type; pkt the bytes), in time
 * order, as tab-separated text with the bytes in hex (no escaping of
 * binary in the answer to undo). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "runtime/collector/ch_http.h"
#include "bpf-templates/vnt_abi.h"
#include "runtime/report/pcap.h"

static struct vnt_plan *run_plan(struct vnt_ch *c, int64_t run)
{
	char sql[512], e2[256], *out = NULL;
	snprintf(sql, sizeof(sql), "SELECT anyIf(manifest_json, version = 1) AS m FROM %s.runs WHERE id = %lld"
		 " FORMAT JSONEachRow", vnt_ch_database(c), (long long)run);
	if (vnt_ch_query(c, sql, &out, NULL, e2, sizeof(e2)))
		return NULL;
	json_object *row = json_tokener_parse(out), *m;
	struct vnt_plan *p = NULL;
	if (row && json_object_object_get_ex(row, "m", &m) && json_object_is_type(m, json_type_string))
		p = vnt_manifest_read(json_object_get_string(m), e2, sizeof(e2));
	json_object_put(row);
	free(out);
	return p;
}

static int hexval(int ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* One line: host, hop, ts, fp, len, ifindex, netns, pkt_link, hex. */
static int parse_row(char *line, struct vnt_pcap_row *row, unsigned char *buf, size_t cap)
{
	long long host, hop, ts;
	unsigned long long fp;
	unsigned len, ifindex, netns, link;
	int at = 0;
	if (sscanf(line, "%lld\t%lld\t%lld\t%llu\t%u\t%u\t%u\t%u\t%n", &host, &hop, &ts, &fp, &len, &ifindex, &netns,
		   &link, &at) != 8 || !at || link < 1 || link > 2)
		return -1;
	const char *h = line + at;
	size_t n = strlen(h);
	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		buf[i] = (unsigned char)(a << 4 | b);
	}
	*row = (struct vnt_pcap_row){ .host_id = host, .hop_id = hop, .ts_ns = ts, .fp = fp, .len = len,
				      .ifindex = ifindex, .netns = netns, .link = (int)link - 1, .data = buf,
				      .caplen = (uint32_t)(n / 2) };
	return 0;
}

int vnt_report_pcap_clickhouse(const struct vnt_report *r, struct vnt_pcap_out *o, char *err, size_t errlen)
{
	char e2[768];
	struct vnt_ch *c = vnt_ch_open(r->db, 30, err, errlen);
	if (!c)
		return -1;
	struct vnt_pcap_ctx x;
	vnt_pcap_ctx_init(&x, r, run_plan(c, r->run_id), o);
	char sql[512], *out = NULL;
	snprintf(sql, sizeof(sql), "SELECT host_id, hop, ts_ns, fp, len, ifindex, netns, pkt_link, hex(pkt) FROM %s.events"
		 " WHERE run_id = %lld AND pkt_link > 0 ORDER BY ts_ns FORMAT TabSeparated",
		 vnt_ch_database(c), (long long)r->run_id);
	if (vnt_ch_query(c, sql, &out, NULL, e2, sizeof(e2))) {
		snprintf(err, errlen, "%s: cannot read the packets: %s", r->db,
			 strstr(e2, "pkt_link") ? "the store holds no packet bytes (its schema predates them)" : e2);
		vnt_ch_close(c);
		vnt_pcap_ctx_end(&x, err, 0);
		return -1;
	}
	vnt_ch_close(c);
	unsigned char buf[VNT_PCAP_SNAP_MAX];
	int rc = 0;
	for (char *line = out, *next; line && *line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct vnt_pcap_row row;
		if (parse_row(line, &row, buf, sizeof(buf))) {
			snprintf(err, errlen, "%s: unreadable answer from the server: %.80s", r->db, line);
			rc = -1;
		} else if (vnt_pcap_ctx_row(&x, &row)) {
			rc = -1;
			snprintf(err, errlen, "writing a packet failed");
		}
	}
	free(out);
	if (rc) {
		vnt_pcap_ctx_end(&x, err, 0);
		return -1;
	}
	return vnt_pcap_ctx_end(&x, err, errlen);
}
