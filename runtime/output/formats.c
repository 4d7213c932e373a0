/* The output formats (format.h), the default first. One line per format. */
#include "runtime/output/format.h"

extern const struct vnt_output_format vnt_output_format_text, vnt_output_format_json,
	vnt_output_format_prometheus;

const struct vnt_output_format *const vnt_output_formats[] = {
	&vnt_output_format_text,
	&vnt_output_format_json,
	&vnt_output_format_prometheus,
	NULL,
};
