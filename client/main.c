/* comptoir: the Comptoir workstation. */
#include "cpt-app.h"

int main(int argc, char **argv)
{
	cpt_app_init_i18n(argv[0]);
	g_autoptr(CptApp) app = cpt_app_new();
	return g_application_run(G_APPLICATION(app), argc, argv);
}
