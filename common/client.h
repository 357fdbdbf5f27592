/*
 * The RPC client library, shared by the GTK client, comptoirctl and the
 * tests: a blocking TLS connection that sends Request frames and reads
 * ServerFrames. The server certificate is either verified against a CA file
 * or pinned by its SHA-256 fingerprint (trust on first use: connect without a
 * pin, show cpt_client_fingerprint(), store it, pin it next time).
 *
 * One cpt_client is not thread-safe: one thread at a time. Connecting sets
 * SIGPIPE to ignored if it was left at its default.
 */
#ifndef CPT_CLIENT_H
#define CPT_CLIENT_H

#include "status.h"

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#define CPT_FINGERPRINT_LEN 95 /* "AB:CD:..." for SHA-256, without the NUL */

typedef struct cpt_client cpt_client;

typedef struct cpt_client_opts {
	const char *host;
	int port;
	const char *ca_file; /* verify the chain and host name against it, or NULL */
	const char *pin;     /* expected fingerprint, or NULL to accept and report */
	int timeout_ms;	     /* per read or write; 0: 30 s */
} cpt_client_opts;

/*
 * Connects and completes the TLS handshake. A pin mismatch fails with
 * CPT_PERMISSION_DENIED and field "fingerprint". Caller frees with
 * cpt_client_close().
 */
int cpt_client_connect(const cpt_client_opts *opts, cpt_client **out, cpt_status *st);
void cpt_client_close(cpt_client *c);
/* The server certificate's SHA-256 fingerprint, "AB:CD:...". */
const char *cpt_client_fingerprint(const cpt_client *c);

/*
 * One call: sends, then reads frames until the response with its id (events
 * met on the way are queued). On OK, *out is the decoded output; caller frees
 * with protobuf_c_message_free_unpacked(*out, NULL). Returns the status code.
 */
int cpt_client_call(cpt_client *c, const char *method, const ProtobufCMessage *in,
		    const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
		    cpt_status *st);

/* The same with an idempotency key, as the workstations send every call. */
int cpt_client_call_keyed(cpt_client *c, const char *method, const ProtobufCMessage *in,
			  const uint8_t *key, size_t key_len,
			  const ProtobufCMessageDescriptor *out_desc, ProtobufCMessage **out,
			  cpt_status *st);

/* Pipelining: send without waiting; *id identifies the response. */
int cpt_client_send(cpt_client *c, const char *method, const ProtobufCMessage *in, uint64_t *id,
		    cpt_status *st);
/*
 * Reads the next response (events are queued). Returns 0 when one was read:
 * *id is its request id, *st its status and, on OK, *payload (malloc'd,
 * caller frees) the packed output. Returns -1 when the connection failed.
 */
int cpt_client_recv(cpt_client *c, uint64_t *id, uint8_t **payload, size_t *len, cpt_status *st);

/* Test hooks: raw plaintext bytes through TLS, and a frame with any payload. */
int cpt_client_send_raw(cpt_client *c, const void *bytes, size_t n, cpt_status *st);
int cpt_client_send_request(cpt_client *c, uint64_t id, const char *method, const void *payload,
			    size_t len, cpt_status *st);
/*
 * The same with an idempotency key (8 to 32 bytes, the same for every
 * attempt of one call): a write the server already did answers again
 * instead of running twice (rpc.proto Request.key).
 */
int cpt_client_send_request_keyed(cpt_client *c, uint64_t id, const char *method,
				  const void *payload, size_t len, const uint8_t *key,
				  size_t key_len, cpt_status *st);
/* True once the server has closed the connection (reads EOF within timeout_ms). */
int cpt_client_wait_closed(cpt_client *c, int timeout_ms);

/* Events received so far; returns 1 and fills the fields, or 0 if none. */
int cpt_client_next_event(cpt_client *c, char **topic, int64_t *id, char **action);

#endif
