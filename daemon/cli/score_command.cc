// `vigie score`: scores posts read on stdin with a rule file, one JSON object out per input line.
//
// Input lines are Posts as NDJSON (post_json.h), except that a line only needs "text": scoring has no use for
// a uid. With --text every line is the raw text of a post. Blank lines are skipped. Output objects carry the
// input's uid (else its "id", else the line number), the detected language, the matches and the sentiment.
// A bad line writes {"line":N,"error":"..."} to stderr and scoring goes on; the exit code is 1 when any line
// failed.
#include <boost/json/object.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "daemon/cli/commands.h"
#include "daemon/cli/progress.h"
#include "ingest/base/json_text.h"
#include "ingest/ndjson_posts.h"
#include "ingest/post_json.h"
#include "rules/post_scorer.h"
#include "rules/scored_post_json.h"

namespace vigie::daemon {
namespace {

namespace json = boost::json;

// The value that names a post in the output: what the input called it, else its line number.
json::value output_id(const json::object& o, std::uint64_t line) {
  if (const json::value* uid = o.if_contains("uid"); uid && uid->is_string()) return *uid;
  if (const json::value* id = o.if_contains("id"); id && (id->is_string() || id->is_number())) return *id;
  return line;
}

// A post from an NDJSON line. Lines without "uid" (or "platform" and "id") get a placeholder, so that a file
// of {"text": ...} objects scores as well as a capture of stored posts.
Result<ingest::Post> post_from_line(json::value& v, std::uint64_t line) {
  if (json::object* o = v.if_object(); o && !o->contains("uid") && !o->contains("platform")) {
    json::object copy = *o;
    copy["uid"] = "line:" + std::to_string(line);
    return ingest::post_from_json(copy, 0);
  }
  return ingest::post_from_json(v, 0);
}

void write_line(std::FILE* f, std::string& buffer, const json::object& o) {
  ingest::append_json_text(buffer, o);
  buffer += '\n';
  // Large writes: scoring a day of mentions must not be bound by one write(2) per line.
  if (buffer.size() >= (1u << 16)) {
    std::fwrite(buffer.data(), 1, buffer.size(), f);
    buffer.clear();
  }
}

}  // namespace

int score_command(const ScoreOptions& options) {
  auto scorer = rules::PostScorer::load(options.rules_file);
  if (!scorer) {
    std::cerr << scorer.error().message << "\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);

  std::string out, err;
  std::uint64_t failed = 0;
  ingest::NdjsonPosts reader(std::cin);
  Progress progress("vigie score", &std::cin, Progress::size_of_fd(0), Progress::stderr_is_terminal());
  while (const auto line = reader.next()) {
    progress.tick();
    ingest::Post post;
    json::value id;
    if (options.text) {
      post.uid = "line:" + std::to_string(line->number);
      post.text = line->text;
      id = line->number;
    } else {
      auto v = reader.value();
      Result<ingest::Post> parsed = v ? post_from_line(*v, line->number) : Result<ingest::Post>(v.error());
      if (!parsed) {
        ++failed;
        write_line(stderr, err, json::object{{"line", line->number}, {"error", parsed.error().message}});
        continue;
      }
      id = output_id(v->get_object(), line->number);
      post = std::move(*parsed);
    }

    const rules::ScoredPost scored = (*scorer)->score(post);
    json::object o;
    o["id"] = std::move(id);
    o["lang"] = scored.lang;
    o["matches"] = rules::matches_to_json(scored.matches);
    o["sentiment"] = rules::sentiment_to_json(scored.sentiment);
    write_line(stdout, out, o);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  progress.finish();
  std::fwrite(err.data(), 1, err.size(), stderr);
  std::fflush(stdout);
  if (std::cin.bad()) {
    std::cerr << "vigie score: read error on stdin\n";
    return 1;
  }
  return failed ? 1 : 0;
}

}  // namespace vigie::daemon
