/*
 * cpt_status: the outcome of every operation that can fail, carried as-is to
 * the client in the Response envelope. Codes take gRPC's numbers (DESIGN.md);
 * the message is for people (French), the field names the input at fault.
 */
#ifndef CPT_STATUS_H
#define CPT_STATUS_H

#include <stdbool.h>

enum cpt_code {
	CPT_OK = 0,
	CPT_CANCELLED = 1,
	CPT_INVALID_ARGUMENT = 3,
	CPT_NOT_FOUND = 5,
	CPT_ALREADY_EXISTS = 6,
	CPT_PERMISSION_DENIED = 7,
	CPT_RESOURCE_EXHAUSTED = 8,
	CPT_FAILED_PRECONDITION = 9,
	CPT_ABORTED = 10,
	CPT_UNIMPLEMENTED = 12,
	CPT_INTERNAL = 13,
	CPT_UNAVAILABLE = 14,
	CPT_DATA_LOSS = 15, /* stored data found corrupt (a hash that no longer matches) */
	CPT_UNAUTHENTICATED = 16,
};

typedef struct cpt_status {
	int code; /* enum cpt_code */
	char field[64];
	char message[256];
} cpt_status;

#define CPT_STATUS_OK ((cpt_status){0})

/* Sets code, field (NULL for none) and a printf-style message; returns code. */
int cpt_status_set(cpt_status *st, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* cpt_status_set with CPT_INVALID_ARGUMENT, for callers whose st may be NULL. */
int cpt_status_invalid(cpt_status *st, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Resets st (may be NULL) to OK; returns CPT_OK. */
int cpt_status_reset(cpt_status *st);

static inline bool cpt_status_ok(const cpt_status *st)
{
	return st->code == CPT_OK;
}

/* The code's constant name, e.g. "PERMISSION_DENIED". */
const char *cpt_code_name(int code);

#endif
