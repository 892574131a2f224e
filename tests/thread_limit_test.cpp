// When the OS refuses a thread, the threads model says so (where, and the limits) and goes on.
#include <gtest/gtest.h>

#include "tests/support.hpp"

namespace {

TEST(threads_model, reports_a_refused_thread_and_goes_on) {
  const auto r = concur::testing::run_command(CONCUR_PROBE_THREAD_LIMIT);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("refused: the OS refused thread"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("of 200"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ulimit -u 16"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("after the refusal, 4 threads ran fine"), std::string::npos) << r.output;
}

}  // namespace
