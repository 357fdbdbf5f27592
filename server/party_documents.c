/*
 * Documents attached to a third party (Parties and Suppliers services):
 * AddDocument, ListDocuments, GetDocument, DeleteDocument.
 *
 * The file's bytes live in party_document.content, sent to PostgreSQL as a
 * binary parameter and read back as a binary result (no hex escaping of
 * megabytes). The server computes the SHA-256 when the file comes in and
 * checks it again every time it goes out: a mismatch is DATA_LOSS, never a
 * silently altered file. The size limit is [server] max_document.
 *
 * A document belongs to its party's book: a supplier's documents are reached
 * through the Suppliers service only, a client's through Parties only.
 * Audit rows name the document by id, size and hash, never by file name,
 * which may name a person and the append-only log could not forget it.
 */
#include "audit.h"
#include "config.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "log.h"
#include "parties.h"

#include "parties.pb-c.h"
#include "rpc.pb-c.h"

#include <glib.h>
#include <openssl/evp.h>
#include <string.h>

#define NAME_MAX_CHARS 255
#define MIME_MAX 127
#define MIME_DEFAULT "application/octet-stream"
#define SHA256_HEX_LEN 64

/* ---------------------------------------------------------------------------
 * Checks and helpers
 */

/* Hex SHA-256 of data with OpenSSL's EVP; out gets 64 digits and a NUL. */
static int sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1], cpt_status *st)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n * 2 != SHA256_HEX_LEN) {
		return cpt_status_set(st, CPT_INTERNAL, NULL, "calcul de l'empreinte impossible");
	}
	for (unsigned int i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	return 0;
}

/* "850 octets", "12,5 ko", "10 Mo": for people, in the French way. */
static char *size_text(cpt_call *call, uint64_t bytes)
{
	static const char *const units[] = {"ko", "Mo", "Go"};
	if (bytes < 1024) {
		return cpt_call_printf(call, "%u octet%s", (unsigned)bytes, bytes > 1 ? "s" : "");
	}
	double v = (double)bytes / 1024;
	int u = 0;
	while (v >= 1024 && u < 2) {
		v /= 1024;
		u++;
	}
	char *s = v < 10 && v != (double)(uint64_t)v
		      ? cpt_call_printf(call, "%.1f %s", v, units[u])
		      : cpt_call_printf(call, "%.0f %s", v, units[u]);
	char *dot = strchr(s, '.');
	if (dot) {
		*dot = ',';
	}
	return s;
}

/* A file name: trimmed, 1 to 255 characters, no folder and no control character. */
static int check_name(cpt_call *call, const char *in, const char **out, cpt_status *st)
{
	char *name = cpt_call_strdup(call, in);
	g_strstrip(name);
	if (!*name) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.name",
				      "nom du fichier obligatoire");
	}
	if (g_utf8_strlen(name, -1) > NAME_MAX_CHARS) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.name",
				      "nom du fichier : %d caractères au plus", NAME_MAX_CHARS);
	}
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		if (*c < 0x20 || *c == 0x7f || *c == '/' || *c == '\\') {
			return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.name",
					      "nom du fichier sans dossier (/ ou \\) ni "
					      "caractère de contrôle");
		}
	}
	*out = name;
	return 0;
}

/* A MIME type "type/subtype", lower-cased; "" is application/octet-stream. */
static int check_mime(cpt_call *call, const char *in, const char **out, cpt_status *st)
{
	if (!*in) {
		*out = MIME_DEFAULT;
		return 0;
	}
	char *m = cpt_call_strdup(call, in);
	g_strstrip(m);
	size_t len = strlen(m), slashes = 0;
	bool ok = len > 0 && len <= MIME_MAX && m[0] != '/' && m[len - 1] != '/';
	for (char *c = m; ok && *c; c++) {
		*c = g_ascii_tolower(*c);
		if (*c == '/') {
			slashes++;
		} else {
			ok = g_ascii_isalnum(*c) || strchr("!#$&^_.+-", *c);
		}
	}
	if (!ok || slashes != 1) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.mime_type",
				      "type MIME attendu de la forme type/sous-type "
				      "(application/pdf, image/jpeg...)");
	}
	*out = m;
	return 0;
}

/* A document's metadata with its author; callers add the WHERE clause. */
#define SQL_DOCUMENT                                                                               \
	"SELECT d.id, d.party_id, d.name, d.mime_type, d.size, d.sha256,"                          \
	" extract(epoch FROM d.created_at)::bigint, u.display_name"                                \
	" FROM party_document d JOIN party p ON p.id = d.party_id"                                 \
	" JOIN app_user u ON u.id = d.created_by"

static Comptoir__Parties__Document *document_row(cpt_call *call, const PGresult *r, int i)
{
	Comptoir__Parties__Document *d =
	    CPT_NEW(call, Comptoir__Parties__Document, comptoir__parties__document__init);
	d->id = cpt_db_i64(r, i, 0);
	d->party_id = cpt_db_i64(r, i, 1);
	d->name = cpt_call_strdup(call, cpt_db_str(r, i, 2));
	d->mime_type = cpt_call_strdup(call, cpt_db_str(r, i, 3));
	d->size = cpt_db_i64(r, i, 4);
	d->sha256 = cpt_call_strdup(call, cpt_db_str(r, i, 5));
	d->created_at = cpt_db_i64(r, i, 6);
	d->created_by = cpt_call_strdup(call, cpt_db_str(r, i, 7));
	return d;
}

/* Document id's metadata, if it is in the call's book; NOT_FOUND naming "id" otherwise. */
static int load_document(cpt_call *call, cpt_status *st, int64_t id,
			 Comptoir__Parties__Document **out)
{
	PGresult *r = cpt_db_query(call, st,
				   SQL_DOCUMENT " WHERE d.id = $1::bigint"
						" AND (p.kind = 'supplier') = $2::boolean",
				   cpt_call_i64(call, id), cpt_parties_book_param(call));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "document introuvable");
	}
	*out = document_row(call, r, 0);
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------------------
 * Handlers
 */

CPT_HANDLER(cpt_parties_add_document)
{
	const Comptoir__Parties__AddDocumentRequest *req = (const void *)in;
	const Comptoir__Parties__Document *doc = req->document;
	if (!doc) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document", "document manquant");
	}
	const char *name = NULL, *mime = NULL; /* set by the checks; GCC -O2 cannot tell */
	if (check_name(call, doc->name, &name, st) || check_mime(call, doc->mime_type, &mime, st)) {
		return st->code;
	}
	size_t size = doc->content.len;
	if (size == 0) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.content",
				      "fichier vide : rien à joindre");
	}
	unsigned max = call->cfg->max_document;
	if (size > max) {
		return cpt_status_set(st, CPT_INVALID_ARGUMENT, "document.content",
				      "fichier trop volumineux : %s au plus", size_text(call, max));
	}
	bool anonymised;
	if (cpt_party_find(call, st, doc->party_id, "document.party_id", CPT_PARTY_SHARE,
			   &anonymised)) {
		return st->code;
	}
	if (anonymised) {
		return cpt_status_set(st, CPT_FAILED_PRECONDITION, "document.party_id",
				      "tiers anonymisé (RGPD) : on ne peut plus lui joindre de "
				      "document");
	}
	char hash[SHA256_HEX_LEN + 1];
	if (sha256_hex(doc->content.data, size, hash, st)) {
		return st->code;
	}
	const char *party = cpt_call_i64(call, doc->party_id);
	const char *size_param = cpt_call_i64(call, (int64_t)size);
	const char *params[] = {party,	    name, mime,
				size_param, hash, (const char *)doc->content.data};
	const int lengths[] = {0, 0, 0, 0, 0, (int)size};
	const int formats[] = {0, 0, 0, 0, 0, 1};
	PGresult *r = cpt_db_exec_bytes(
	    call, st,
	    "INSERT INTO party_document (party_id, name, mime_type, size, sha256, content,"
	    " created_by) VALUES ($1::bigint, $2, $3, $4::bigint, $5, $6::bytea, cpt_user())"
	    " RETURNING id",
	    6, params, lengths, formats, 0);
	if (!r) {
		return st->code;
	}
	int64_t id = cpt_db_i64(r, 0, 0);
	PQclear(r);
	Comptoir__Parties__DocumentReply *rep = CPT_NEW(call, Comptoir__Parties__DocumentReply,
							comptoir__parties__document_reply__init);
	if (cpt_notify(call, st, cpt_parties_document_topic(call), doc->party_id, "create") ||
	    cpt_audit(call, st, "party_document", id, call->company_id,
		      cpt_json_object(call, "event", "add", "party_id", party, "size", size_param,
				      "sha256", hash, NULL)) ||
	    load_document(call, st, id, &rep->document)) {
		return st->code;
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_parties_list_documents)
{
	const Comptoir__Parties__ListDocumentsRequest *req = (const void *)in;
	bool anonymised;
	if (cpt_party_find(call, st, req->party_id, "party_id", CPT_PARTY_READ, &anonymised)) {
		return st->code;
	}
	PGresult *r = cpt_db_query(call, st,
				   SQL_DOCUMENT " WHERE d.party_id = $1::bigint"
						" ORDER BY d.created_at DESC, d.id DESC",
				   cpt_call_i64(call, req->party_id));
	if (!r) {
		return st->code;
	}
	Comptoir__Parties__ListDocumentsReply *rep =
	    CPT_NEW(call, Comptoir__Parties__ListDocumentsReply,
		    comptoir__parties__list_documents_reply__init);
	int n = PQntuples(r);
	rep->n_documents = (size_t)n;
	rep->documents = cpt_call_alloc(call, sizeof(void *) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		rep->documents[i] = document_row(call, r, i);
	}
	PQclear(r);
	rep->max_size = call->cfg->max_document;
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_parties_get_document)
{
	const Comptoir__Parties__DocumentRequest *req = (const void *)in;
	Comptoir__Parties__DocumentReply *rep = CPT_NEW(call, Comptoir__Parties__DocumentReply,
							comptoir__parties__document_reply__init);
	if (load_document(call, st, req->id, &rep->document)) {
		return st->code;
	}
	Comptoir__Parties__Document *d = rep->document;
	const char *params[] = {cpt_call_i64(call, d->id)};
	PGresult *r =
	    cpt_db_exec_bytes(call, st, "SELECT content FROM party_document WHERE id = $1::bigint",
			      1, params, NULL, NULL, 1);
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "document introuvable");
	}
	size_t len = (size_t)PQgetlength(r, 0, 0);
	d->content.len = len;
	d->content.data = cpt_call_alloc(call, len ? len : 1);
	memcpy(d->content.data, PQgetvalue(r, 0, 0), len);
	PQclear(r);
	char hash[SHA256_HEX_LEN + 1];
	if (sha256_hex(d->content.data, len, hash, st)) {
		return st->code;
	}
	if (strcmp(hash, d->sha256) != 0 || (int64_t)len != d->size) {
		cpt_error("%s: document %lld altered: stored SHA-256 %s, content %s", call->method,
			  (long long)d->id, d->sha256, hash);
		return cpt_status_set(st, CPT_DATA_LOSS, "id",
				      "document altéré : son contenu ne correspond plus à son "
				      "empreinte SHA-256");
	}
	*out = &rep->base;
	return 0;
}

CPT_HANDLER(cpt_parties_delete_document)
{
	const Comptoir__Parties__DocumentRequest *req = (const void *)in;
	PGresult *r = cpt_db_query(call, st,
				   "DELETE FROM party_document d USING party p"
				   " WHERE d.id = $1::bigint AND p.id = d.party_id"
				   " AND (p.kind = 'supplier') = $2::boolean"
				   " RETURNING d.party_id, d.size, d.sha256",
				   cpt_call_i64(call, req->id), cpt_parties_book_param(call));
	if (!r) {
		return st->code;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return cpt_status_set(st, CPT_NOT_FOUND, "id", "document introuvable");
	}
	int64_t party = cpt_db_i64(r, 0, 0);
	const char *detail =
	    cpt_json_object(call, "event", "delete", "party_id", cpt_call_i64(call, party), "size",
			    cpt_call_strdup(call, cpt_db_str(r, 0, 1)), "sha256",
			    cpt_call_strdup(call, cpt_db_str(r, 0, 2)), NULL);
	PQclear(r);
	if (cpt_notify(call, st, cpt_parties_document_topic(call), party, "delete") ||
	    cpt_audit(call, st, "party_document", req->id, call->company_id, detail)) {
		return st->code;
	}
	*out = &CPT_NEW(call, Comptoir__Rpc__Empty, comptoir__rpc__empty__init)->base;
	return 0;
}
