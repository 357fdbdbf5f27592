/* Frame accumulation and extraction; see frame.h. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

void cpt_framebuf_init(cpt_framebuf *fb, uint32_t max)
{
	memset(fb, 0, sizeof *fb);
	fb->max = max ? max : CPT_FRAME_DEFAULT_MAX;
}

void cpt_framebuf_free(cpt_framebuf *fb)
{
	free(fb->data);
	fb->data = NULL;
	fb->len = fb->cap = fb->start = 0;
}

int cpt_framebuf_append(cpt_framebuf *fb, const void *bytes, size_t n)
{
	if (n == 0) {
		return 0;
	}
	if (fb->start > 0 && fb->start == fb->len) {
		fb->start = fb->len = 0;
	}
	if (fb->len + n > fb->cap) {
		/* Compact before growing: consumed frames sit at the front. */
		if (fb->start > 0) {
			memmove(fb->data, fb->data + fb->start, fb->len - fb->start);
			fb->len -= fb->start;
			fb->start = 0;
		}
		if (fb->len + n > fb->cap) {
			size_t cap = fb->cap ? fb->cap : 4096;
			while (cap < fb->len + n) {
				cap *= 2;
			}
			uint8_t *d = realloc(fb->data, cap);
			if (!d) {
				return CPT_FRAME_NOMEM;
			}
			fb->data = d;
			fb->cap = cap;
		}
	}
	memcpy(fb->data + fb->len, bytes, n);
	fb->len += n;
	return 0;
}

int cpt_framebuf_next(cpt_framebuf *fb, const uint8_t **payload, size_t *len)
{
	size_t avail = fb->len - fb->start;
	if (avail < CPT_FRAME_HEADER) {
		return CPT_FRAME_NEED_MORE;
	}
	const uint8_t *h = fb->data + fb->start;
	uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (n > fb->max) {
		return CPT_FRAME_TOO_LARGE;
	}
	if (avail - CPT_FRAME_HEADER < n) {
		return CPT_FRAME_NEED_MORE;
	}
	*payload = h + CPT_FRAME_HEADER;
	*len = n;
	fb->start += CPT_FRAME_HEADER + n;
	return CPT_FRAME_READY;
}

void cpt_frame_header(uint8_t out[CPT_FRAME_HEADER], uint32_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}
