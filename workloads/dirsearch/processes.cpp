// processes: the parent reads the roots' top directories, breadth first, until it holds a few
// sub-trees per worker, then forks the workers. Each sub-tree is a job handed to whichever worker
// is idle, so one deep sub-tree keeps one worker busy while the others take the rest; a worker
// walks its sub-tree as the sequential model walks a root (a coroutine loop would have nothing to
// interleave: a directory read blocks) and sends back what it found, which the parent merges into
// the root's answer. A job names its sub-tree by number: the workers inherit the parent's jobs,
// open directory descriptors and ancestors included, at the fork, so a sub-tree below PATH_MAX
// or a followed link is handed out as readily as any.
#include <algorithm>
#include <deque>

#include "models/processes.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

// Sub-trees wanted per worker before the fork: enough that a worker done early finds more.
constexpr std::size_t subtrees_per_worker = 4;
// The most directories the parent reads itself to find them (a chain has one sub-tree a level).
constexpr std::size_t parent_reads = 64;

// What a worker streams to while the parent streams (concur dirsearch --print): the records and
// errors go back with its answer, and the parent hands them to its own sink.
class relay final : public entry_sink {
 public:
  explicit relay(char terminator)
      : entry_sink(terminator, [this](std::string_view, const error& e) { errors.push_back(e); }) {}
  std::string& buffer() override { return records; }
  void appended(std::string&) override {}
  std::string records;
  std::vector<error> errors;
};

struct subtree {
  std::size_t root;
  dir_job job;
};

class search {
 public:
  search(const params& p, std::vector<std::string> roots)
      : p_(p), roots_(std::move(roots)), found_(roots_.size()) {}

  // Reads directories breadth first until `wanted` sub-trees are pending (or none, or the
  // parent's share is read); returns them.
  std::vector<subtree> split(std::size_t wanted) {
    std::deque<subtree> frontier;
    for (std::size_t r = 0; r < roots_.size(); ++r) frontier.push_back({r, root_job(roots_[r])});
    std::vector<dir_job> subdirs;
    for (std::size_t read = 0; !frontier.empty() && frontier.size() < wanted && read < parent_reads;
         ++read) {
      auto [r, job] = std::move(frontier.front());
      frontier.pop_front();
      read_directory(std::move(job), p_.opts, found_[r], subdirs);
      for (auto& sub : subdirs) frontier.push_back({r, std::move(sub)});
      subdirs.clear();
    }
    return {std::make_move_iterator(frontier.begin()), std::make_move_iterator(frontier.end())};
  }

  // In a worker: walks sub-tree `s` to its end; the answer's bytes.
  std::string walk(const subtree& s) const {
    options opts = p_.opts;
    std::optional<relay> streamed;
    if (opts.sink) opts.sink = &streamed.emplace(opts.sink->terminator());
    tally found;
    std::vector<dir_job> pending{s.job};
    while (!pending.empty()) {
      dir_job job = std::move(pending.back());
      pending.pop_back();
      read_directory(std::move(job), opts, found, pending);
    }
    processes::message answer;
    answer.put(found.dirs_opened).put(found.entries_read).put(found.entries.size());
    for (const auto& e : found.entries) answer.put(e.path).put(static_cast<std::uint64_t>(e.type));
    const auto& errors = streamed ? streamed->errors : found.errors;
    answer.put(errors.size());
    for (const auto& e : errors)
      answer.put(e.path).put(static_cast<std::uint64_t>(e.code)).put(e.message);
    return answer.put(streamed ? streamed->records : "").take();
  }

  // In the parent: a worker's answer for sub-tree `s`, merged into its root's.
  void merge(const subtree& s, std::string_view bytes) {
    processes::message_reader answer(bytes);
    tally found;
    found.dirs_opened = answer.number();
    found.entries_read = answer.number();
    found.entries.resize(answer.number());
    for (auto& e : found.entries) {
      e.path = answer.text();
      e.type = static_cast<entry_type>(answer.number());
    }
    found.errors.resize(answer.number());
    for (auto& e : found.errors) {
      e.path = answer.text();
      e.code = static_cast<int>(answer.number());
      e.message = answer.text();
    }
    const auto records = answer.text();
    if (auto* sink = p_.opts.sink) {
      auto& buffer = sink->buffer();
      buffer.append(records);
      sink->appended(buffer);
      for (const auto& e : found.errors) sink->report(roots_[s.root], e);
      found.errors.clear();
    }
    found_[s.root].merge(std::move(found));
  }

  std::vector<root_result> finish() {
    std::vector<root_result> out;
    for (std::size_t r = 0; r < roots_.size(); ++r)
      out.push_back(finish_root(p_, roots_[r], std::move(found_[r])));
    return out;
  }

 private:
  const params& p_;
  std::vector<std::string> roots_;
  std::vector<tally> found_;  // per root: what the parent read, then each sub-tree's answer
};

processes::task<bool> hand_out(processes::pool& workers, search& s, const subtree& t,
                               std::size_t number) {
  const auto answer = co_await workers.submit(processes::message{}.put(number).take());
  s.merge(t, answer);
  co_return true;
}

}  // namespace

template <>
result workload::run(models::processes_model, const params& p, const models::config& config) {
  const std::size_t most = std::max(1u, config.worker_processes);
  search s(p, resolve_roots(p));
  const auto subtrees = s.split(subtrees_per_worker * most);
  processes::pool workers(std::min(most, subtrees.size()), [&](std::string_view job) {
    return s.walk(subtrees.at(processes::message_reader(job).number()));
  });
  if (!subtrees.empty())
    workers.run([&]() -> processes::task<void> {
      std::vector<processes::task<bool>> walks;
      for (std::size_t i = 0; i < subtrees.size(); ++i)
        walks.push_back(hand_out(workers, s, subtrees[i], i));
      co_await processes::gather(std::move(walks));
    });
  return {s.finish()};
}

}  // namespace concur::dirsearch
