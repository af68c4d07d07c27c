//
// Router.h
//
// Chooses how a destination is reached: directly, or through the parent
// proxies whose destination lists match it.
//

#pragma once

#include "fwdproxy/upstream/DestinationSet.h"
#include "fwdproxy/upstream/ParentProxy.h"

#include <string>
#include <vector>


namespace fwdproxy {
namespace upstream {


struct Route
{
	std::vector<const ParentProxy*> parents;   ///< To try in this order; empty means connect directly.

	bool direct() const { return parents.empty(); }
};


class Router
	/// The first rule that matches wins: proxy.direct, then every parent in
	/// proxy.upstream.order whose destinations match (all of them, so that
	/// the caller can fail over), and otherwise a direct connection.
{
public:
	Router() = default;
	Router(DestinationSet direct, std::vector<ParentProxy> parents);

	Route route(const std::string& host) const;
		/// host is a request-target's host: lower case, an IPv6 literal without brackets.

	const std::vector<ParentProxy>& parents() const { return _parents; }

private:
	DestinationSet _direct;
	std::vector<ParentProxy> _parents;
};


} } // namespace fwdproxy::upstream
