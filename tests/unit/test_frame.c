/* Frame encoding and decoding: header, reassembly, limits. */
#include "frame.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void frame_header_is_big_endian(void **state)
{
	uint8_t h[4];
	cpt_frame_header(h, 0x01020304u);
	assert_int_equal(h[0], 1);
	assert_int_equal(h[1], 2);
	assert_int_equal(h[2], 3);
	assert_int_equal(h[3], 4);
}

static void frame_split_across_reads_is_reassembled(void **state)
{
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 1024);
	uint8_t wire[4 + 5];
	cpt_frame_header(wire, 5);
	memcpy(wire + 4, "hello", 5);
	const uint8_t *p;
	size_t len;
	for (size_t i = 0; i < sizeof wire; i++) {
		assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_NEED_MORE);
		assert_int_equal(cpt_framebuf_append(&fb, wire + i, 1), 0);
	}
	assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_READY);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "hello", 5);
	assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_NEED_MORE);
	cpt_framebuf_free(&fb);
}

static void several_frames_in_one_read_come_out_in_order(void **state)
{
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 1024);
	uint8_t wire[64];
	size_t n = 0;
	const char *msgs[] = {"a", "", "bcd"};
	for (int i = 0; i < 3; i++) {
		cpt_frame_header(wire + n, (uint32_t)strlen(msgs[i]));
		memcpy(wire + n + 4, msgs[i], strlen(msgs[i]));
		n += 4 + strlen(msgs[i]);
	}
	assert_int_equal(cpt_framebuf_append(&fb, wire, n), 0);
	for (int i = 0; i < 3; i++) {
		const uint8_t *p;
		size_t len;
		assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_READY);
		assert_int_equal(len, strlen(msgs[i]));
		assert_memory_equal(p, msgs[i], len);
	}
	cpt_framebuf_free(&fb);
}

static void oversized_frame_is_refused_before_its_body_arrives(void **state)
{
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 100);
	uint8_t h[4];
	cpt_frame_header(h, 101);
	assert_int_equal(cpt_framebuf_append(&fb, h, 4), 0);
	const uint8_t *p;
	size_t len;
	assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_TOO_LARGE);
	cpt_framebuf_free(&fb);
}

static void frame_at_the_limit_is_accepted(void **state)
{
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 100);
	uint8_t wire[104] = {0};
	cpt_frame_header(wire, 100);
	assert_int_equal(cpt_framebuf_append(&fb, wire, sizeof wire), 0);
	const uint8_t *p;
	size_t len;
	assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_READY);
	assert_int_equal(len, 100);
	cpt_framebuf_free(&fb);
}

static void buffer_compacts_and_grows_over_many_frames(void **state)
{
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 1 << 20);
	uint8_t wire[4 + 3000];
	cpt_frame_header(wire, 3000);
	for (int i = 0; i < 3000; i++) {
		wire[4 + i] = (uint8_t)i;
	}
	for (int round = 0; round < 50; round++) {
		/* Append one and a half frames, then take what is complete. */
		assert_int_equal(cpt_framebuf_append(&fb, wire, sizeof wire), 0);
		const uint8_t *p;
		size_t len;
		while (cpt_framebuf_next(&fb, &p, &len) == CPT_FRAME_READY) {
			assert_int_equal(len, 3000);
			assert_int_equal(p[2999], (uint8_t)2999);
		}
	}
	assert_true(fb.cap < 64 * 1024);
	cpt_framebuf_free(&fb);
}

static void empty_append_on_a_fresh_buffer_is_harmless(void **state)
{
	/* Found by fuzz_request: a zero-length read before any data. */
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 100);
	assert_int_equal(cpt_framebuf_append(&fb, NULL, 0), 0);
	const uint8_t *p;
	size_t len;
	assert_int_equal(cpt_framebuf_next(&fb, &p, &len), CPT_FRAME_NEED_MORE);
	cpt_framebuf_free(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(frame_header_is_big_endian),
	    cmocka_unit_test(frame_split_across_reads_is_reassembled),
	    cmocka_unit_test(several_frames_in_one_read_come_out_in_order),
	    cmocka_unit_test(oversized_frame_is_refused_before_its_body_arrives),
	    cmocka_unit_test(frame_at_the_limit_is_accepted),
	    cmocka_unit_test(buffer_compacts_and_grows_over_many_frames),
	    cmocka_unit_test(empty_append_on_a_fresh_buffer_is_harmless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
