/* openapi: schema/openapi.json, embedded in the binary at build time
 * (scripts/embed_file.sh writes $(BUILD)/openapi.c). */
#ifndef CLAIMDB_OPENAPI_H
#define CLAIMDB_OPENAPI_H

#include <stddef.h>

/* The OpenAPI document's bytes, NUL-terminated; openapi_json_size excludes the NUL. */
extern const char openapi_json[];
extern const size_t openapi_json_size;

#endif
