// The server of a model named at run time (concur-server's --model).
#include <fmt/format.h>

#include <stdexcept>

#include "workloads/serve/serve.hpp"

namespace concur::serve {

void serve_with(std::string_view model, const server_context& ctx) {
  models::visit(model, [&]<class M>() -> bool {
    if constexpr (serves<M>)
      serve_site(M{}, ctx);
    else
      throw std::invalid_argument(fmt::format("no {} server is written", M::name));
    return false;
  });
}

}  // namespace concur::serve
