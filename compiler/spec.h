/* What the checker needs to know of the compiler's descriptors (hop
 * kinds' attach forms), as the language's struct vnt_lang_spec. */
#ifndef VNT_SPEC_H
#define VNT_SPEC_H
#include "lang/program.h"

const struct vnt_lang_spec *vnt_compiler_spec(void);

#endif
