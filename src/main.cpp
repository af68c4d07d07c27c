//
// main.cpp
//

#include "fwdproxy/app/DaemonCheck.h"
#include "fwdproxy/app/ProxyApplication.h"

#include <iostream>


#ifdef _WIN32
POCO_SERVER_MAIN(fwdproxy::app::ProxyApplication)
#else
int main(int argc, char** argv)
{
	int check = fwdproxy::app::checkBeforeDaemon(argc, argv);
	if (check != 0) return check;

	fwdproxy::app::ProxyApplication application;
	return application.run(argc, argv);
}
#endif
