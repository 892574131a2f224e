#pragma once
// Internal to baselines/python/script.cpp: a script's interpreter kept between runs
// (`python3 SCRIPT --serve`, harness.py), so that its start-up and imports are paid once rather
// than on every run of every cell. Each run is a request over a socket, run in a fork of the
// interpreter (as a fresh process would run it); the interpreter is started at first use, and
// killed on a timeout or when it dies, to be started afresh at the next run (at once, for the
// same run, when it had died while idle).
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace concur::python {

// What came back from one run.
struct reply {
  std::vector<std::string> lines;        // what the run wrote, JSON or not (a traceback), in order
  int status = 0;                        // the run's exit status (128 + a signal)
  bool timed_out = false;                // stopped at the deadline: the interpreter was killed
  std::optional<int> interpreter_ended;  // its exit status, when it ended on its own
  double startup_seconds = 0;            // the interpreter's start-up and imports (paid once)
  double round_trip_seconds = 0;         // from the request written to the run's end read
  pid_t interpreter = -1;                // the kept interpreter's pid
  pid_t run = -1;                        // the fork's that ran the request; -1 if none was started
};

class interpreter {
 public:
  explicit interpreter(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  interpreter(const interpreter&) = delete;
  interpreter& operator=(const interpreter&) = delete;
  ~interpreter() { stop(); }

  // Sends the request line (JSON) and reads the run's lines up to its end; throws
  // std::system_error when the interpreter cannot be started at all.
  reply run(const std::string& request, double timeout_s);

 private:
  using clock = std::chrono::steady_clock;

  // One try of run(): starts the interpreter if it is not running, sends, reads the reply.
  reply attempt(const std::string& request, clock::time_point deadline);
  void start(clock::time_point deadline, reply& r);
  void stop();
  // The next line, or false on end of file or at the deadline (r.timed_out).
  bool next_line(std::string& line, clock::time_point deadline, reply& r);
  void died(reply& r);

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;  // read but not yet a whole line
  double startup_seconds_ = 0;
};

// The calling thread's kept interpreter of `argv` (each thread its own: a child dies with the
// thread that started it, process.hpp). Killed when the thread ends, or at exit for the main one.
interpreter& kept_interpreter(const std::vector<std::string>& argv);

}  // namespace concur::python
