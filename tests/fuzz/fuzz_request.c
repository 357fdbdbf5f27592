/*
 * libFuzzer target for what comptoird does with untrusted bytes before any
 * handler runs: frame reassembly, the Request envelope, method lookup, the
 * method's input message and the string checks.
 */
#include "dispatch.h"
#include "frame.h"

#include "rpc.pb-c.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		cpt_status st = {0};
		cpt_dispatch_init(&st);
		ready = 1;
	}
	cpt_framebuf fb;
	cpt_framebuf_init(&fb, 1 << 16);
	/* Feed in two pieces to exercise reassembly. */
	size_t half = size / 2;
	cpt_framebuf_append(&fb, data, half);
	const uint8_t *p;
	size_t len;
	for (int pass = 0; pass < 2; pass++) {
		while (cpt_framebuf_next(&fb, &p, &len) == CPT_FRAME_READY) {
			Comptoir__Rpc__Request *req = comptoir__rpc__request__unpack(NULL, len, p);
			if (!req) {
				continue;
			}
			const cpt_method *m = cpt_dispatch_find(req->method);
			if (m) {
				ProtobufCMessage *in = protobuf_c_message_unpack(
				    m->input, NULL, req->payload.len, req->payload.data);
				if (in) {
					cpt_status st = {0};
					cpt_dispatch_validate(in, &st);
					protobuf_c_message_free_unpacked(in, NULL);
				}
			}
			comptoir__rpc__request__free_unpacked(req, NULL);
		}
		if (pass == 0) {
			cpt_framebuf_append(&fb, data + half, size - half);
		}
	}
	cpt_framebuf_free(&fb);
	return 0;
}
