//
// main.cpp
//

#include "fwdproxy/app/ProxyApplication.h"

#include <iostream>


POCO_SERVER_MAIN(fwdproxy::app::ProxyApplication)
