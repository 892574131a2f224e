// The rounds' rules (bench/rounds.hpp) on their own, without a run.
#include "bench/rounds.hpp"

#include <gtest/gtest.h>

namespace concur::bench::rounds {
namespace {

TEST(rounds, later_runs_repeat_a_cell_the_fewest_times_that_reach_its_minimum) {
  EXPECT_EQ(iterations_for(0.5, 0.1), 5);  // not six for a rounding error
  EXPECT_EQ(iterations_for(0.5, 0.11), 5);
  EXPECT_EQ(iterations_for(0.5, 0.099), 6);
  EXPECT_EQ(iterations_for(0.5, 0.001), 500);
  EXPECT_EQ(iterations_for(0.1, 0.3), 1);  // a long run is one iteration
  EXPECT_EQ(iterations_for(0.1, 0.1), 1);
  EXPECT_EQ(iterations_for(0.1, 0.0), 1);  // nothing measured: no guess
}

TEST(rounds, the_minimum_run_time_is_the_longer_unless_one_is_given) {
  settings s;
  s.min_time_s = 0.1;
  EXPECT_EQ(min_run_time(s, 0.5), 0.5);
  EXPECT_EQ(min_run_time(s, 0.0), 0.1);
  s.min_time_given = true;
  EXPECT_EQ(min_run_time(s, 0.5), 0.1);
}

}  // namespace
}  // namespace concur::bench::rounds
