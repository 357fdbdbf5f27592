/* Call arena and session copies. */
#include "call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cpt_arena_chunk {
	cpt_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK 8192

void *cpt_call_alloc(cpt_call *call, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	cpt_arena_chunk *c = call->arena;
	if (!c || c->size - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c) {
			abort();
		}
		c->size = cap;
		c->used = 0;
		c->next = call->arena;
		call->arena = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *cpt_call_strdup(cpt_call *call, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = cpt_call_alloc(call, n);
	memcpy(d, s ? s : "", n);
	return d;
}

char *cpt_call_strndup(cpt_call *call, const char *s, size_t n)
{
	char *d = cpt_call_alloc(call, n + 1); /* zeroed: the terminator is there */
	memcpy(d, s, n);
	return d;
}

char *cpt_call_printf(cpt_call *call, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *d = cpt_call_alloc(call, (size_t)n + 1);
	vsnprintf(d, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return d;
}

const char *cpt_call_i64(cpt_call *call, int64_t v)
{
	return cpt_call_printf(call, "%lld", (long long)v);
}

void cpt_call_arena_free(cpt_call *call)
{
	while (call->arena) {
		cpt_arena_chunk *next = call->arena->next;
		free(call->arena);
		call->arena = next;
	}
}

cpt_session *cpt_session_dup(const cpt_session *s)
{
	cpt_session *d = calloc(1, sizeof *d);
	if (!d) {
		return NULL;
	}
	*d = *s;
	d->permissions = calloc(s->n_permissions + 1, sizeof(char *));
	for (size_t i = 0; i < s->n_permissions; i++) {
		d->permissions[i] = strdup(s->permissions[i]);
	}
	return d;
}

void cpt_session_free(cpt_session *s)
{
	if (!s) {
		return;
	}
	for (size_t i = 0; i < s->n_permissions; i++) {
		free(s->permissions[i]);
	}
	free(s->permissions);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool cpt_session_has(const cpt_session *s, const char *permission)
{
	return s && bsearch(&permission, s->permissions, s->n_permissions, sizeof(char *),
			    cmp_str) != NULL;
}
