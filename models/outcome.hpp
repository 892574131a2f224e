#pragma once
// What the task techniques share across models: a task's outcome (its value or its error, as
// asyncio.gather(..., return_exceptions=True) returns them) and the error a cooperative task
// raises when it sees that it was cancelled.
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>
#include <variant>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace concur {

// A task saw its stop request (std::stop_token, task_group cancellation) and ended early.
class task_cancelled : public std::runtime_error {
 public:
  task_cancelled() : std::runtime_error("task cancelled") {}
};

// A task's value, or the exception it ended with.
template <class T>
using outcome = std::variant<T, std::exception_ptr>;

// True when e is the way a model reports a cancelled task: task_cancelled, or Asio's
// operation_aborted for a coroutine whose wait was cancelled.
inline bool is_cancellation(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const task_cancelled&) {
    return true;
  } catch (const boost::system::system_error& s) {
    return s.code() == boost::asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

// The message of an exception (for results compared across models).
inline std::string error_message(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace concur
