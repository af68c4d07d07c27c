//
// ErrorResponse.cpp
//

#include "fwdproxy/http/ErrorResponse.h"


namespace fwdproxy {
namespace http {


const char* const ERROR_CONTENT_TYPE = "text/plain; charset=utf-8";


const char* statusPhrase(int status)
{
	switch (status)
	{
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	case 508: return "Loop Detected";
	default: return "Unknown";
	}
}


std::string makeErrorResponse(Reason reason, const std::string& subject, const std::string& via,
	const std::string& extraFields)
{
	int status = reasonStatus(reason);
	std::string body = reasonText(reason);
	if (!subject.empty()) body += ": " + subject;
	body += "\n";

	std::string response = "HTTP/1.1 " + std::to_string(status) + " " + statusPhrase(status) + "\r\n";
	response += "Content-Type: ";
	response += ERROR_CONTENT_TYPE;
	response += "\r\n";
	response += "Content-Length: " + std::to_string(body.size()) + "\r\n";
	response += "X-Fwdproxy-Error: ";
	response += reasonCode(reason);
	response += "\r\n";
	response += extraFields;
	if (!via.empty()) response += "Via: " + via + "\r\n";
	response += "Connection: close\r\n\r\n";
	response += body;
	return response;
}


} } // namespace fwdproxy::http
