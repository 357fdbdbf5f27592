/*
 * comptoirctl cert: a self-signed certificate for comptoird (ECDSA P-256,
 * SHA-256), with the host name and loopback in subjectAltName. Workstations
 * pin its fingerprint on first use, so no CA is needed on a LAN; a site with
 * its own CA simply points [server] certificate and private_key at its files.
 */
#include "ctl.h"

#include <getopt.h>
#include <glib.h>
#include <grp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext) {
		return -1;
	}
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert, cpt_status *st)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_mkdir_with_parents(dir, 0755);
	g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		return cpt_status_set(st, CPT_UNAVAILABLE,
				      key ? "server.private_key" : "server.certificate",
				      "écriture impossible : %s", tmp);
	}
	chmod(tmp, mode);
	/*
	 * Run as root on a packaged install, the key must stay readable by the
	 * daemon's group (the system user "comptoir"), and by no one else.
	 */
	struct group *g = key && geteuid() == 0 ? getgrnam("comptoir") : NULL;
	if (g && fchown(fileno(f), (uid_t)-1, g->gr_gid) == 0) {
		fchmod(fileno(f), 0640);
	}
	int ok =
	    key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
	if (fclose(f) != 0 || ok != 1 || rename(tmp, path) != 0) {
		remove(tmp);
		return cpt_status_set(st, CPT_UNAVAILABLE,
				      key ? "server.private_key" : "server.certificate",
				      "écriture impossible : %s", path);
	}
	return 0;
}

static int cert_new(const cpt_config *cfg, const char *cn, int days, char fp[96], cpt_status *st)
{
	int rc = 0;
	g_autofree char *san = g_strdup_printf("DNS:%s,DNS:localhost,IP:127.0.0.1,IP:::1", cn);
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *cert = X509_new();
	if (!key || !cert) {
		rc = cpt_status_set(st, CPT_INTERNAL, NULL, "génération de clé impossible");
		goto done;
	}
	X509_set_version(cert, 2);
	unsigned char serial[16];
	RAND_bytes(serial, sizeof serial);
	serial[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400);
	X509_set_pubkey(cert, key);
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Comptoir", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, name);
	if (add_ext(cert, NID_subject_alt_name, san) ||
	    add_ext(cert, NID_basic_constraints, "CA:FALSE") ||
	    add_ext(cert, NID_key_usage, "critical,digitalSignature") ||
	    add_ext(cert, NID_ext_key_usage, "serverAuth") ||
	    X509_sign(cert, key, EVP_sha256()) == 0) {
		rc = cpt_status_set(st, CPT_INTERNAL, NULL, "signature du certificat impossible");
		goto done;
	}
	if (write_pem(cfg->private_key, 0600, key, NULL, st) ||
	    write_pem(cfg->certificate, 0644, NULL, cert, st)) {
		rc = st->code;
		goto done;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	X509_digest(cert, EVP_sha256(), md, &n);
	for (unsigned i = 0; i < n && i < 32; i++) {
		snprintf(fp + 3 * i, 4, i + 1 < n ? "%02X:" : "%02X", md[i]);
	}
done:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int ctl_cert_ensure(const cpt_config *cfg, const char *cn, int *created, cpt_status *st)
{
	*created = 0;
	if (g_file_test(cfg->certificate, G_FILE_TEST_EXISTS) &&
	    g_file_test(cfg->private_key, G_FILE_TEST_EXISTS)) {
		printf("certificat %s : gardé\n", cfg->certificate);
		return 0;
	}
	char fp[96] = "";
	if (cert_new(cfg, cn, 3650, fp, st)) {
		return st->code;
	}
	*created = 1;
	printf("certificat auto-signé créé : %s\nempreinte SHA-256 : %s\n", cfg->certificate, fp);
	return 0;
}

int ctl_cert(const cpt_config *cfg, int argc, char **argv)
{
	const char *cn = NULL;
	int days = 3650;
	static const struct option opts[] = {{"cn", required_argument, NULL, 'n'},
					     {"days", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	if (argc < 2 || strcmp(argv[1], "new") != 0) {
		fprintf(stderr, "usage: comptoirctl cert new [--cn NOM] [--days N]\n");
		return 2;
	}
	int o;
	optind = 1;
	while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (o == 'n') {
			cn = optarg;
		} else if (o == 'd') {
			days = atoi(optarg);
		} else {
			return 2;
		}
	}
	if (days < 1 || days > 36500) {
		fprintf(stderr, "comptoirctl: --days entre 1 et 36500 (days)\n");
		return 2;
	}
	char host[256] = "localhost";
	if (!cn) {
		gethostname(host, sizeof host - 1);
		cn = host;
	}
	char fp[96] = "";
	cpt_status st = {0};
	if (cert_new(cfg, cn, days, fp, &st)) {
		return ctl_fail(&st);
	}
	printf("certificat auto-signé créé : %s (%s, %d jours)\nempreinte SHA-256 : %s\n"
	       "rechargez le démon (SIGHUP) ; les postes verront une nouvelle empreinte\n",
	       cfg->certificate, cn, days, fp);
	return 0;
}
