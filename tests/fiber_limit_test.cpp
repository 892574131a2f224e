// When the OS refuses a fiber's stack, the fibers model says so (where, and the limits) and goes
// on: the refusal path of the model, with the address space lowered in a process of its own.
#include <gtest/gtest.h>

#include "tests/support.hpp"

namespace {

TEST(fibers_model, reports_a_refused_stack_and_goes_on) {
  const auto r = concur::testing::run_command(CONCUR_PROBE_FIBER_LIMIT);
  if (r.output.starts_with("skip: ")) GTEST_SKIP() << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("refused: the OS refused the stack of fiber"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("of 100000 (64 KiB each)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("RLIMIT_AS "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("after the refusal, 4 fibers ran fine"), std::string::npos) << r.output;
}

}  // namespace
