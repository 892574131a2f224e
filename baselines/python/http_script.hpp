#pragma once
// Internal to baselines/python/fetch.cpp and crawl.cpp: what the HTTP scripts share.
#include <string>
#include <vector>

#include "baselines/python/script.hpp"
#include "workloads/http/http.hpp"

namespace concur::python {

// The error a script names as the C++ client does (workloads/http/client.cpp, to_string).
http::error_kind error_named(const std::string& name);

// The script's cells (script_baselines), each also unavailable with the reason when a Debian
// package it imports is missing: python3-xxhash for every cell (the body hash), python3-aiohttp
// for py-asyncio and py-processes.
std::vector<baseline> http_script_baselines(const script& s);

// The client's settings as the scripts take them.
std::vector<std::string> client_arguments(const http::client_options& c);

}  // namespace concur::python
