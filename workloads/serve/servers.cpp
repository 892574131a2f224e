// The server of a model named at run time (concur-server's --model).
#include "workloads/serve/serve.hpp"

namespace concur::serve {

void serve_with(std::string_view model, const server_context& ctx) {
  models::visit(model, [&]<class M>() {
    serve_site(M{}, ctx);
    return 0;
  });
}

}  // namespace concur::serve
