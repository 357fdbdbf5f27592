/*
 * Frames on the wire: a 4-byte big-endian length N, then N bytes of one
 * protobuf message. cpt_framebuf accumulates decrypted bytes as they arrive
 * and hands out complete frames; a length above the configured maximum is a
 * framing fault and the caller closes the connection.
 */
#ifndef CPT_FRAME_H
#define CPT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define CPT_FRAME_HEADER 4
#define CPT_FRAME_DEFAULT_MAX (16u * 1024 * 1024)

enum cpt_frame_result {
	CPT_FRAME_NEED_MORE = 0,
	CPT_FRAME_READY = 1,
	CPT_FRAME_TOO_LARGE = -1,
	CPT_FRAME_NOMEM = -2,
};

typedef struct cpt_framebuf {
	uint8_t *data;
	size_t len; /* bytes held */
	size_t cap;
	size_t start; /* first unconsumed byte */
	uint32_t max; /* largest accepted payload */
} cpt_framebuf;

void cpt_framebuf_init(cpt_framebuf *fb, uint32_t max);
/* Releases the buffer; fb may be reused after cpt_framebuf_init. */
void cpt_framebuf_free(cpt_framebuf *fb);
/* Appends n received bytes. Returns 0 or CPT_FRAME_NOMEM. */
int cpt_framebuf_append(cpt_framebuf *fb, const void *bytes, size_t n);
/*
 * Takes the next complete frame: on CPT_FRAME_READY *payload points into the
 * buffer (valid until the next append or next call) and *len is its size.
 */
int cpt_framebuf_next(cpt_framebuf *fb, const uint8_t **payload, size_t *len);

/* Writes the 4-byte header for a payload of len bytes. */
void cpt_frame_header(uint8_t out[CPT_FRAME_HEADER], uint32_t len);

#endif
