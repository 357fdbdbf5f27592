/*
 * Bad input: framing faults close the connection, bad calls get the right
 * Status naming the field, nothing is written, and the daemon keeps serving
 * every other client throughout.
 */
#include "frame.h"
#include "testenv.h"

#include "admin.pb-c.h"
#include "auth.pb-c.h"
#include "rpc.pb-c.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static cpt_testenv env;
static cpt_client *bystander; /* an innocent client that must keep being served */

static int setup(void **state)
{
	if (cpt_testenv_start(&env, "badinput",
			      "[server]\nmax_connections = 8\nhandshake_timeout = 1\n") != 0) {
		return -1;
	}
	bystander = cpt_testenv_admin(&env);
	return bystander ? 0 : -1;
}

static int teardown(void **state)
{
	cpt_client_close(bystander);
	return cpt_testenv_stop(&env) == 0 ? 0 : -1;
}

static long long writes(void)
{
	return cpt_testenv_sql_int(&env, "SELECT (SELECT count(*) FROM audit_log)"
					 " + (SELECT count(*) FROM app_user)"
					 " + (SELECT count(*) FROM role)");
}

static void bystander_still_served(void)
{
	Comptoir__Admin__ListCompaniesRequest in = COMPTOIR__ADMIN__LIST_COMPANIES_REQUEST__INIT;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(bystander, "comptoir.admin.Admin/ListCompanies", &in.base,
					 &comptoir__admin__list_companies_reply__descriptor, &out,
					 &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
}

static int login_code(const char *login, const char *password, cpt_status *st)
{
	cpt_client *c = cpt_testenv_connect(&env);
	Comptoir__Auth__LoginRequest req = COMPTOIR__AUTH__LOGIN_REQUEST__INIT;
	req.login = (char *)login;
	req.password = (char *)password;
	ProtobufCMessage *out = NULL;
	int rc = cpt_client_call(c, "comptoir.auth.Auth/Login", &req.base,
				 &comptoir__auth__session_reply__descriptor, &out, st);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(c);
	return rc;
}

static void oversized_frame_closes_the_connection(void **state)
{
	long long before = writes();
	cpt_client *c = cpt_testenv_connect(&env);
	uint8_t h[4];
	cpt_frame_header(h, 0x7fffffff);
	cpt_status st = {0};
	assert_int_equal(cpt_client_send_raw(c, h, sizeof h, &st), 0);
	assert_true(cpt_client_wait_closed(c, 5000));
	cpt_client_close(c);
	bystander_still_served();
	assert_int_equal(writes(), before);
}

static void truncated_frame_then_hang_up_leaves_the_daemon_serving(void **state)
{
	cpt_client *c = cpt_testenv_connect(&env);
	uint8_t buf[4 + 10] = {0};
	cpt_frame_header(buf, 100);
	cpt_status st = {0};
	assert_int_equal(cpt_client_send_raw(c, buf, sizeof buf, &st), 0);
	/* The server waits for the rest without blocking anyone else. */
	bystander_still_served();
	cpt_client_close(c);
	bystander_still_served();
}

static void garbage_envelope_closes_the_connection(void **state)
{
	cpt_client *c = cpt_testenv_connect(&env);
	uint8_t buf[4 + 16];
	cpt_frame_header(buf, 16);
	memset(buf + 4, 0xff, 16);
	cpt_status st = {0};
	assert_int_equal(cpt_client_send_raw(c, buf, sizeof buf, &st), 0);
	assert_true(cpt_client_wait_closed(c, 5000));
	cpt_client_close(c);
	bystander_still_served();
}

static void plain_tcp_client_is_dropped(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)env.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	const char req[] = "GET / HTTP/1.0\r\n\r\n";
	assert_int_equal(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
	struct pollfd p = {.fd = fd, .events = POLLIN};
	bool closed = false;
	for (int i = 0; i < 10 && !closed; i++) {
		assert_true(poll(&p, 1, 1000) >= 0);
		char buf[512];
		ssize_t n = read(fd, buf, sizeof buf);
		closed = n == 0 || (n < 0);
	}
	assert_true(closed);
	close(fd);
	bystander_still_served();
}

static void unknown_method_answers_unimplemented(void **state)
{
	cpt_client *c = cpt_testenv_connect(&env);
	cpt_status st = {0};
	uint64_t id;
	uint8_t *payload;
	size_t len;
	assert_int_equal(cpt_client_send_request(c, 7, "comptoir.nope.Nope/Nothing", "", 0, &st),
			 0);
	assert_int_equal(cpt_client_recv(c, &id, &payload, &len, &st), 0);
	assert_int_equal(id, 7);
	assert_int_equal(st.code, CPT_UNIMPLEMENTED);
	assert_string_equal(st.field, "method");
	/* The connection lives on. */
	Comptoir__Rpc__Empty in = COMPTOIR__RPC__EMPTY__INIT;
	ProtobufCMessage *out = NULL;
	assert_int_equal(cpt_client_call(c, "comptoir.rpc.Server/Info", &in.base,
					 &comptoir__rpc__info_reply__descriptor, &out, &st),
			 CPT_OK);
	protobuf_c_message_free_unpacked(out, NULL);
	cpt_client_close(c);
}

static void undecodable_payload_answers_invalid_argument(void **state)
{
	long long before = writes();
	cpt_client *c = cpt_testenv_connect(&env);
	cpt_status st = {0};
	uint64_t id;
	uint8_t *payload;
	size_t len;
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	assert_int_equal(
	    cpt_client_send_request(c, 8, "comptoir.auth.Auth/Login", junk, sizeof junk, &st), 0);
	assert_int_equal(cpt_client_recv(c, &id, &payload, &len, &st), 0);
	assert_int_equal(st.code, CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "payload");
	cpt_client_close(c);
	assert_int_equal(writes(), before);
}

static void oversized_and_invalid_strings_name_the_field(void **state)
{
	long long before = writes();
	cpt_status st = {0};
	char *huge = malloc(5000);
	memset(huge, 'a', 4999);
	huge[4999] = '\0';
	assert_int_equal(login_code(huge, "x", &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "login");
	huge[100] = '\0';
	assert_int_equal(login_code(huge, "x", &st), CPT_INVALID_ARGUMENT);
	assert_string_equal(st.field, "login");
	free(huge);
	assert_int_equal(login_code("admin", "\xc3\x28 not utf-8", &st), CPT_INVALID_ARGUMENT);
	assert_true(strcmp(st.field, "password") == 0 || strcmp(st.field, "payload") == 0);
	assert_int_equal(writes(), before);
	bystander_still_served();
}

static void invalid_user_fields_are_refused_and_nothing_is_written(void **state)
{
	long long before = writes();
	struct {
		const char *login, *name, *email, *field;
	} cases[] = {
	    {"Bad Login!", "Nom", "", "login"},
	    {"ok.login", "", "", "display_name"},
	    {"ok.login", "Nom", "pas-une-adresse", "email"},
	    {"admin", "Doublon", "", "login"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Comptoir__Admin__CreateUserRequest req = COMPTOIR__ADMIN__CREATE_USER_REQUEST__INIT;
		req.login = (char *)cases[i].login;
		req.display_name = (char *)cases[i].name;
		req.email = (char *)cases[i].email;
		ProtobufCMessage *out = NULL;
		cpt_status st = {0};
		int rc =
		    cpt_client_call(bystander, "comptoir.admin.Admin/CreateUser", &req.base,
				    &comptoir__admin__create_user_reply__descriptor, &out, &st);
		assert_true(rc == CPT_INVALID_ARGUMENT || rc == CPT_ALREADY_EXISTS);
		assert_string_equal(st.field, cases[i].field);
		assert_true(strlen(st.message) > 0);
	}
	assert_int_equal(writes(), before);
}

static void call_before_login_answers_unauthenticated(void **state)
{
	long long before = writes();
	cpt_client *c = cpt_testenv_connect(&env);
	Comptoir__Admin__CreateUserRequest req = COMPTOIR__ADMIN__CREATE_USER_REQUEST__INIT;
	req.login = "intruder";
	req.display_name = "Intrus";
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	assert_int_equal(cpt_client_call(c, "comptoir.admin.Admin/CreateUser", &req.base,
					 &comptoir__admin__create_user_reply__descriptor, &out,
					 &st),
			 CPT_UNAUTHENTICATED);
	cpt_client_close(c);
	assert_int_equal(writes(), before);
}

static int raw_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)env.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

static bool closed_within(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) <= 0) {
		return false;
	}
	char buf[64];
	return read(fd, buf, sizeof buf) <= 0;
}

static void silent_clients_are_dropped_and_connections_capped(void **state)
{
	/* Eight connections at most: the bystander holds one. */
	int fds[10];
	for (int i = 0; i < 10; i++) {
		fds[i] = raw_connect();
	}
	/* Those beyond the cap are closed at once. */
	assert_true(closed_within(fds[9], 500));
	/* The others never start TLS: dropped after the handshake timeout (1 s here). */
	assert_true(closed_within(fds[0], 3000));
	for (int i = 0; i < 10; i++) {
		close(fds[i]);
	}
	usleep(200 * 1000);
	bystander_still_served();
	cpt_client *c = cpt_testenv_connect(&env);
	assert_non_null(c);
	cpt_client_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(oversized_frame_closes_the_connection),
	    cmocka_unit_test(truncated_frame_then_hang_up_leaves_the_daemon_serving),
	    cmocka_unit_test(garbage_envelope_closes_the_connection),
	    cmocka_unit_test(plain_tcp_client_is_dropped),
	    cmocka_unit_test(unknown_method_answers_unimplemented),
	    cmocka_unit_test(undecodable_payload_answers_invalid_argument),
	    cmocka_unit_test(oversized_and_invalid_strings_name_the_field),
	    cmocka_unit_test(invalid_user_fields_are_refused_and_nothing_is_written),
	    cmocka_unit_test(call_before_login_answers_unauthenticated),
	    cmocka_unit_test(silent_clients_are_dropped_and_connections_capped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
