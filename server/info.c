/* comptoir.rpc.Server/Info: versions and server time, without the database. */
#include "config.h"
#include "handlers.h"

#include "rpc.pb-c.h"

#include <stdio.h>
#include <time.h>

#define CPT_PROTOCOL_VERSION 1

/* Read once at start-up by the loop thread, before any worker runs. */
static int schema_version;
static char pg_version[32];
static char server_name[64];

void cpt_info_set_database(int schema, const char *pg, const char *name)
{
	schema_version = schema;
	snprintf(pg_version, sizeof pg_version, "%s", pg ? pg : "");
	snprintf(server_name, sizeof server_name, "%s", name ? name : "");
}

CPT_HANDLER(cpt_server_info)
{
	Comptoir__Rpc__InfoReply *r =
	    CPT_NEW(call, Comptoir__Rpc__InfoReply, comptoir__rpc__info_reply__init);
	r->server_version = CPT_VERSION;
	r->protocol_version = CPT_PROTOCOL_VERSION;
	r->schema_version = (uint32_t)schema_version;
	r->server_time = (int64_t)time(NULL);
	r->server_name = server_name;
	r->postgresql_version = pg_version;
	*out = &r->base;
	return 0;
}
