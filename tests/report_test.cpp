#include <gtest/gtest.h>
TEST(placeholder2, builds) {}
