/* Integration test environment; see testenv.h. */
#include "testenv.h"

#include "admin.pb-c.h"
#include "auth.pb-c.h"
#include "parties.pb-c.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *cpt_testenv_build(void)
{
	const char *b = getenv("CPT_BUILD");
	return b && *b ? b : "build/san";
}

const char *cpt_testenv_out(void)
{
	const char *o = getenv("CPT_TEST_OUT");
	return o && *o ? o : "/tmp";
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		close(fd);
		return -1;
	}
	int port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int run_capture(const char *const *argv, char *out, size_t out_size)
{
	int pipefd[2];
	if (pipe(pipefd) != 0) {
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	size_t used = 0;
	char buf[4096];
	ssize_t n;
	while ((n = read(pipefd[0], buf, sizeof buf)) > 0) {
		if (out && used + 1 < out_size) {
			size_t take =
			    (size_t)n < out_size - used - 1 ? (size_t)n : out_size - used - 1;
			memcpy(out + used, buf, take);
			used += take;
		}
	}
	if (out && out_size) {
		out[used] = '\0';
	}
	close(pipefd[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int cpt_testenv_ctl(cpt_testenv *env, char *out, size_t out_size, const char *const *args)
{
	const char *argv[32];
	g_autofree char *ctl = g_strdup_printf("%s/comptoirctl", cpt_testenv_build());
	int n = 0;
	argv[n++] = ctl;
	argv[n++] = "-c";
	argv[n++] = env->conf;
	for (int i = 0; args[i] && n < 31; i++) {
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	return run_capture(argv, out, out_size);
}

int cpt_testenv_daemon_start(cpt_testenv *env)
{
	g_autofree char *bin = g_strdup_printf("%s/comptoird", cpt_testenv_build());
	g_autofree char *log = g_strdup_printf("%s/comptoird.log", env->dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, STDERR_FILENO);
		dup2(fd, STDOUT_FILENO);
		execl(bin, bin, "-c", env->conf, (char *)NULL);
		_exit(127);
	}
	env->daemon = pid;
	/* Ready when the port accepts connections. */
	for (int i = 0; i < 300; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)env->port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
		close(fd);
		if (ok) {
			return 0;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "testenv: comptoird exited at start; see %s\n", log);
			env->daemon = 0;
			return -1;
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "testenv: comptoird not listening after 15 s; see %s\n", log);
	return -1;
}

int cpt_testenv_daemon_stop(cpt_testenv *env)
{
	if (env->daemon <= 0) {
		return 0;
	}
	kill(env->daemon, SIGTERM);
	int status = 0;
	waitpid(env->daemon, &status, 0);
	env->daemon = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

PGconn *cpt_testenv_sql(cpt_testenv *env)
{
	PGconn *c = PQconnectdb(env->pgconn);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "testenv: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

long long cpt_testenv_sql_int(cpt_testenv *env, const char *sql)
{
	PGconn *c = cpt_testenv_sql(env);
	if (!c) {
		return -1;
	}
	PGresult *r = PQexec(c, sql);
	long long v = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	} else if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "testenv: %s: %s", sql, PQresultErrorMessage(r));
	}
	PQclear(r);
	PQfinish(c);
	return v;
}

cpt_client *cpt_testenv_connect(cpt_testenv *env)
{
	cpt_client_opts o = {.host = "127.0.0.1",
			     .port = env->port,
			     .pin = env->fingerprint[0] ? env->fingerprint : NULL,
			     .timeout_ms = 30000};
	cpt_client *c = NULL;
	cpt_status st = {0};
	if (cpt_client_connect(&o, &c, &st) != 0) {
		fprintf(stderr, "testenv: connect: %s\n", st.message);
		return NULL;
	}
	if (!env->fingerprint[0]) {
		snprintf(env->fingerprint, sizeof env->fingerprint, "%s",
			 cpt_client_fingerprint(c));
	}
	return c;
}

cpt_client *cpt_testenv_login(cpt_testenv *env, const char *login, const char *password,
			      int64_t company_id, int *code, Comptoir__Auth__SessionReply **reply)
{
	cpt_client *c = cpt_testenv_connect(env);
	if (!c) {
		if (code) {
			*code = CPT_UNAVAILABLE;
		}
		return NULL;
	}
	Comptoir__Auth__LoginRequest req = COMPTOIR__AUTH__LOGIN_REQUEST__INIT;
	req.login = (char *)login;
	req.password = (char *)password;
	req.company_id = company_id;
	req.client_name = "tests";
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.auth.Auth/Login", &req.base,
				 &comptoir__auth__session_reply__descriptor, &out, &st);
	if (code) {
		*code = rc;
	}
	if (rc != 0) {
		if (!code) {
			fprintf(stderr, "testenv: Login %s: %s %s (%s)\n", login, cpt_code_name(rc),
				st.message, st.field);
		}
		cpt_client_close(c);
		return NULL;
	}
	if (reply) {
		*reply = (Comptoir__Auth__SessionReply *)out;
	} else {
		protobuf_c_message_free_unpacked(out, NULL);
	}
	return c;
}

static int change_password(cpt_client *c, const char *old, const char *new_password)
{
	Comptoir__Auth__ChangePasswordRequest req = COMPTOIR__AUTH__CHANGE_PASSWORD_REQUEST__INIT;
	req.old_password = (char *)old;
	req.new_password = (char *)new_password;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(c, "comptoir.auth.Auth/ChangePassword", &req.base,
				 &comptoir__auth__change_password_reply__descriptor, &out, &st);
	if (rc) {
		fprintf(stderr, "testenv: ChangePassword: %s (%s)\n", st.message, st.field);
	}
	protobuf_c_message_free_unpacked(out, NULL);
	return rc;
}

cpt_client *cpt_testenv_admin(cpt_testenv *env)
{
	return cpt_testenv_login(env, "admin", env->admin_password, 0, NULL, NULL);
}

int64_t cpt_testenv_create_user(cpt_testenv *env, const char *login, int64_t role_id,
				int64_t company_id)
{
	cpt_client *admin = cpt_testenv_admin(env);
	if (!admin) {
		return 0;
	}
	if (company_id == 0) {
		company_id = cpt_testenv_sql_int(env, "SELECT min(id) FROM company");
	}
	Comptoir__Admin__CreateUserRequest req = COMPTOIR__ADMIN__CREATE_USER_REQUEST__INIT;
	req.login = (char *)login;
	req.display_name = (char *)login;
	req.email = "";
	req.company_id = role_id ? company_id : 0;
	req.role_id = role_id;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	int rc = cpt_client_call(admin, "comptoir.admin.Admin/CreateUser", &req.base,
				 &comptoir__admin__create_user_reply__descriptor, &out, &st);
	cpt_client_close(admin);
	if (rc) {
		fprintf(stderr, "testenv: CreateUser %s: %s (%s)\n", login, st.message, st.field);
		return 0;
	}
	Comptoir__Admin__CreateUserReply *rep = (Comptoir__Admin__CreateUserReply *)out;
	int64_t id = rep->user->id;
	g_autofree char *temp = g_strdup(rep->temporary_password);
	protobuf_c_message_free_unpacked(out, NULL);
	if (role_id) {
		cpt_client *c = cpt_testenv_login(env, login, temp, 0, NULL, NULL);
		if (!c || change_password(c, temp, CPT_TEST_PASSWORD) != 0) {
			cpt_client_close(c);
			return 0;
		}
		cpt_client_close(c);
	}
	return id;
}

int cpt_testenv_start(cpt_testenv *env, const char *name, const char *extra_config)
{
	memset(env, 0, sizeof *env);
	snprintf(env->name, sizeof env->name, "%s", name);
	const char *pghost = getenv("CPT_TEST_PGHOST");
	const char *pgport = getenv("CPT_TEST_PGPORT");
	if (!pghost || !pgport) {
		fprintf(stderr,
			"testenv: CPT_TEST_PGHOST/PGPORT unset: run through tests/run.sh\n");
		return -1;
	}
	snprintf(env->dir, sizeof env->dir, "/tmp/cpt-%s-XXXXXX", name);
	if (!mkdtemp(env->dir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(env->db, sizeof env->db, "t_%s_%d", name, (int)getpid());
	snprintf(env->conf, sizeof env->conf, "%s/comptoird.conf", env->dir);
	snprintf(env->pgconn, sizeof env->pgconn, "host=%s port=%s dbname=%s user=postgres", pghost,
		 pgport, env->db);
	env->port = free_port();
	g_autofree char *text = g_strdup_printf(
	    "[server]\nlisten = 127.0.0.1\nport = %d\ncertificate = server.crt\n"
	    "private_key = server.key\nname = tests\n\n"
	    "[database]\nconninfo = host=%s port=%s dbname=%s user=comptoir\n"
	    "admin_conninfo = host=%s port=%s dbname=%s user=postgres\npool_size = 4\n\n"
	    "[backup]\ndirectory = backups\nkeep = 3\n\n%s\n",
	    env->port, pghost, pgport, env->db, pghost, pgport, env->db,
	    extra_config ? extra_config : "");
	if (!g_file_set_contents(env->conf, text, -1, NULL)) {
		return -1;
	}
	char out[8192];
	const char *args[] = {"init", NULL};
	if (cpt_testenv_ctl(env, out, sizeof out, args) != 0) {
		fprintf(stderr, "testenv: comptoirctl init failed:\n%s\n", out);
		return -1;
	}
	const char *mark = strstr(out, "mot de passe provisoire ");
	char temp[64] = "";
	if (!mark || sscanf(mark + strlen("mot de passe provisoire "), "%63s", temp) != 1) {
		fprintf(stderr, "testenv: no temporary password in:\n%s\n", out);
		return -1;
	}
	if (cpt_testenv_daemon_start(env) != 0) {
		return -1;
	}
	cpt_client *c = cpt_testenv_login(env, "admin", temp, 0, NULL, NULL);
	if (!c || change_password(c, temp, CPT_TEST_PASSWORD) != 0) {
		cpt_client_close(c);
		return -1;
	}
	cpt_client_close(c);
	snprintf(env->admin_password, sizeof env->admin_password, "%s", CPT_TEST_PASSWORD);
	return 0;
}

int cpt_testenv_stop(cpt_testenv *env)
{
	int rc = cpt_testenv_daemon_stop(env);
	const char *pghost = getenv("CPT_TEST_PGHOST");
	const char *pgport = getenv("CPT_TEST_PGPORT");
	g_autofree char *maint =
	    g_strdup_printf("host=%s port=%s dbname=postgres user=postgres", pghost, pgport);
	PGconn *c = PQconnectdb(maint);
	if (PQstatus(c) == CONNECTION_OK && !getenv("CPT_TEST_KEEP")) {
		g_autofree char *sql =
		    g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", env->db);
		PQclear(PQexec(c, sql));
	}
	PQfinish(c);
	if (!getenv("CPT_TEST_KEEP")) {
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", env->dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "testenv: could not remove %s\n", env->dir);
		}
	}
	return rc;
}

bool cpt_testenv_einvoice_valid(const char *path, const char *option, char **report)
{
	const char *dir = getenv("CPT_STANDARDS");
	char script[1024];
	snprintf(script, sizeof script, "%s/validate-einvoice.sh",
		 dir && *dir ? dir : "../shared/standards");
	if (access(script, X_OK) != 0) {
		printf("SKIP e-invoice validation: %s not found\n", script);
		*report = NULL;
		return true;
	}
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "'%s' -q %s '%s' 2>&1", script, option, path);
	FILE *p = popen(cmd, "r");
	char buf[8192];
	size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
	buf[n] = '\0';
	int status = p ? pclose(p) : -1;
	*report = strdup(buf);
	return status == 0;
}

int64_t cpt_testenv_create_client(cpt_client *c, const char *code, const char *name,
				  const char *siren)
{
	Comptoir__Parties__Address a = COMPTOIR__PARTIES__ADDRESS__INIT;
	Comptoir__Parties__Address *ap[] = {&a};
	a.kind = "billing";
	a.line1 = "8 rue du Four";
	a.postcode = "69002";
	a.city = "Lyon";
	a.country = "FR";
	Comptoir__Parties__Party p = COMPTOIR__PARTIES__PARTY__INIT;
	p.kind = "client";
	p.code = (char *)code;
	p.name = (char *)name;
	p.siren = (char *)siren;
	p.addresses = ap;
	p.n_addresses = 1;
	Comptoir__Parties__PartyRequest req = COMPTOIR__PARTIES__PARTY_REQUEST__INIT;
	req.party = &p;
	ProtobufCMessage *out = NULL;
	cpt_status st = {0};
	if (!c ||
	    cpt_client_call(c, "comptoir.parties.Parties/Create", &req.base,
			    &comptoir__parties__party_reply__descriptor, &out, &st) != CPT_OK) {
		fprintf(stderr, "testenv: client %s: %s\n", code, st.message);
		cpt_status_reset(&st);
		return 0;
	}
	int64_t id = ((Comptoir__Parties__PartyReply *)out)->party->id;
	protobuf_c_message_free_unpacked(out, NULL);
	return id;
}
