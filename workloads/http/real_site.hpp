#pragma once
// A real site nobody here wrote: the HTML documentation a Debian package installs, served by nginx
// from where the package put it, crawled by the models and by Debian's wget (README.md, "A real
// site"). wget's URL set is the crawl's oracle there: a crawler that shares no code with ours.
#include <cstddef>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "net/nginx.hpp"

namespace concur::http {

struct real_site {
  std::string package;    // the Debian package that installs it (scripts/optional-packages)
  std::string directory;  // where it installs the HTML: nginx's root
  std::string root_page;  // the crawl's root, a target below the directory ("/index.html")
  // The pages a crawl visits (wget's count with the package's version of the day): the case's
  // items and ideal time; never compared, the oracle is wget's run.
  std::size_t pages = 0;
  bool operator==(const real_site&) const = default;
};

// Why a crawl of `s` cannot run here (nginx, wget or the package missing); empty when it can.
std::string unavailable(const real_site& s);

// nginx serving the site's directory, started on first use and shared by the process (on the
// calling thread, which must live as long: see net::nginx_server).
const net::nginx_server& shared_nginx(const real_site& s);
// The URL of the site's root page on that nginx.
std::string root_url(const real_site& s);

// wget's recursive crawl from `root` to `depth`, as a spider, its log to `log`: the options make it
// follow what our crawler follows (README.md, "Differences from wget"); --no-config and
// --no-proxy keep a user's wgetrc and proxy out of the loopback crawl. `prefix` is where wget puts
// the pages it reads for their links (and deletes them).
std::vector<std::string> wget_argv(const std::string& wget, const std::string& root,
                                   std::size_t depth, const std::string& prefix,
                                   const std::string& log);

// The URLs the wget --no-verbose log at the path `log` names, normalised as the crawler's URLs
// are, sorted: "... URL:http://... [n/n] -> ...", "... URL: http://... 200 OK", and "http://...:"
// before "broken link!!!". Throws when the log cannot be read.
std::vector<std::string> urls_in_wget_log(const std::string& log);

// The URLs wget requests for a crawl of `s` to `depth`: run once per process, untimed.
const std::vector<std::string>& wget_urls(const real_site& s, std::size_t depth);

// wget crawling `s` to `depth` beside the models, timed as a whole process and checked by the URLs
// its log names.
baseline wget_baseline(const real_site& s, std::size_t depth);
// Where the wget cells' runs write their log, which their check reads (in a directory of the
// process's own, removed when it ends).
std::string wget_timed_log();

}  // namespace concur::http
