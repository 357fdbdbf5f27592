/* Every RPC handler, by service. Each is registered in dispatch.c. */
#ifndef CPT_HANDLERS_H
#define CPT_HANDLERS_H

#include "call.h"

#define CPT_HANDLER(name)                                                                          \
	int name(cpt_call *call, const ProtobufCMessage *in, ProtobufCMessage **out, cpt_status *st)

/* comptoir.rpc.Server (info.c) */
CPT_HANDLER(cpt_server_info);
void cpt_info_set_database(int schema_version, const char *pg_version, const char *name);

/* comptoir.auth.Auth (auth.c) */
CPT_HANDLER(cpt_auth_login);
CPT_HANDLER(cpt_auth_resume);
CPT_HANDLER(cpt_auth_logout);
CPT_HANDLER(cpt_auth_change_password);

/* comptoir.admin.Admin: users (admin_users.c) */
CPT_HANDLER(cpt_admin_list_users);
CPT_HANDLER(cpt_admin_get_user);
CPT_HANDLER(cpt_admin_create_user);
CPT_HANDLER(cpt_admin_update_user);
CPT_HANDLER(cpt_admin_set_user_locked);
CPT_HANDLER(cpt_admin_reset_password);
CPT_HANDLER(cpt_admin_set_grant);
CPT_HANDLER(cpt_admin_revoke_grant);
CPT_HANDLER(cpt_admin_list_companies);

/* comptoir.admin.Admin: roles (admin_roles.c) */
CPT_HANDLER(cpt_admin_list_roles);
CPT_HANDLER(cpt_admin_create_role);
CPT_HANDLER(cpt_admin_update_role);
CPT_HANDLER(cpt_admin_set_role_permissions);
CPT_HANDLER(cpt_admin_list_permissions);

/* comptoir.admin.Admin: audit log (admin_audit.c) */
CPT_HANDLER(cpt_admin_list_audit);

/* comptoir.admin.Admin: the session company's settings (admin_company.c) */
CPT_HANDLER(cpt_admin_get_company_settings);
CPT_HANDLER(cpt_admin_update_company_settings);

/* comptoir.prefs.Prefs (prefs.c) */
CPT_HANDLER(cpt_prefs_get);
CPT_HANDLER(cpt_prefs_set);

/* comptoir.parties.Parties and .Suppliers (parties.c) */
CPT_HANDLER(cpt_parties_list);
CPT_HANDLER(cpt_parties_get);
CPT_HANDLER(cpt_parties_create);
CPT_HANDLER(cpt_parties_update);
CPT_HANDLER(cpt_parties_convert);
/* Documents attached to a party (party_documents.c) */
CPT_HANDLER(cpt_parties_add_document);
CPT_HANDLER(cpt_parties_list_documents);
CPT_HANDLER(cpt_parties_get_document);
CPT_HANDLER(cpt_parties_delete_document);
/* GDPR erasure (party_anonymise.c) */
CPT_HANDLER(cpt_parties_anonymise);

/* comptoir.parties.PartyRefs: sectors, sales reps, payment methods (party_refs.c) */
CPT_HANDLER(cpt_party_refs_list_sectors);
CPT_HANDLER(cpt_party_refs_save_sector);
CPT_HANDLER(cpt_party_refs_list_sales_reps);
CPT_HANDLER(cpt_party_refs_save_sales_rep);
CPT_HANDLER(cpt_party_refs_delete_sector);
CPT_HANDLER(cpt_party_refs_delete_sales_rep);
CPT_HANDLER(cpt_party_refs_list_payment_methods);
/* comptoir.equipment.Equipment (equipment.c) */
CPT_HANDLER(cpt_equipment_list);
CPT_HANDLER(cpt_equipment_get);
CPT_HANDLER(cpt_equipment_create);
CPT_HANDLER(cpt_equipment_update);
CPT_HANDLER(cpt_equipment_client_sites);

/* comptoir.reference.Reference (reference.c) */
CPT_HANDLER(cpt_reference_vat_rates);
CPT_HANDLER(cpt_reference_exemptions);
CPT_HANDLER(cpt_reference_units);
CPT_HANDLER(cpt_reference_payment_terms);
CPT_HANDLER(cpt_reference_due_date);

/* comptoir.articles.Articles (articles.c) */
CPT_HANDLER(cpt_articles_list);
CPT_HANDLER(cpt_articles_get);
CPT_HANDLER(cpt_articles_create);
CPT_HANDLER(cpt_articles_update);
CPT_HANDLER(cpt_articles_list_families);
CPT_HANDLER(cpt_articles_save_family);

/* comptoir.articles.Pricing (pricing.c) */
CPT_HANDLER(cpt_pricing_list_price_lists);
CPT_HANDLER(cpt_pricing_save_price_list);
CPT_HANDLER(cpt_pricing_list_rules);
CPT_HANDLER(cpt_pricing_save_rule);
CPT_HANDLER(cpt_pricing_delete_rule);
CPT_HANDLER(cpt_pricing_resolve);
CPT_HANDLER(cpt_pricing_list_supplier_prices);
CPT_HANDLER(cpt_pricing_save_supplier_price);
CPT_HANDLER(cpt_pricing_delete_supplier_price);

/* comptoir.mail.Mail (mail.c) */
CPT_HANDLER(cpt_mail_send);
CPT_HANDLER(cpt_mail_list);

/* comptoir.imports.Import (imports.c) */
CPT_HANDLER(cpt_import_clients_run);
CPT_HANDLER(cpt_import_articles_run);
CPT_HANDLER(cpt_import_supplier_prices_run);

/* comptoir.sales.Quotes and .Invoices (sales_docs.c, sales_read.c, sales_validate.c,
 * sales_convert.c) */
CPT_HANDLER(cpt_sales_list_run);
CPT_HANDLER(cpt_sales_get_run);
CPT_HANDLER(cpt_sales_save_run);
CPT_HANDLER(cpt_sales_delete_run);
CPT_HANDLER(cpt_sales_validate_run);
CPT_HANDLER(cpt_sales_duplicate_run);
CPT_HANDLER(cpt_sales_validate_replay);
CPT_HANDLER(cpt_sales_convert_run);
CPT_HANDLER(cpt_sales_credit_note_run);
CPT_HANDLER(cpt_sales_quote_state_run);
CPT_HANDLER(cpt_sales_print_run);
CPT_HANDLER(cpt_sales_send_run);

#endif
