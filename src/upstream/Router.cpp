//
// Router.cpp
//

#include "fwdproxy/upstream/Router.h"


namespace fwdproxy {
namespace upstream {


Router::Router(DestinationSet direct, std::vector<ParentProxy> parents):
	_direct(std::move(direct)),
	_parents(std::move(parents))
{
}


Route Router::route(const std::string& host) const
{
	Route route;
	if (_parents.empty() || _direct.matches(host)) return route;

	for (const ParentProxy& parent: _parents)
	{
		if (parent.destinations.matches(host)) route.parents.push_back(&parent);
	}
	return route;
}


} } // namespace fwdproxy::upstream
