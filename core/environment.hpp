#pragma once
// The facts every report records about the machine and the build.
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"

namespace concur {

using key_values = std::vector<std::pair<std::string, std::string>>;

// The first word of a /proc file ("?" when unreadable), and a resource limit as text.
std::string proc_value(const char* path);
std::string rlimit_value(int resource);

key_values describe_environment(const concur::config& config, double budget_seconds);

}  // namespace concur
