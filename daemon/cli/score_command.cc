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
using ingest::JsonField;
using ingest::PostJsonFields;

// The text of the value that names a post in the output: what the input called it ("uid", else "id"), else
// its line number; printed as ingest::append_json_text prints the input's value.
void append_output_id(std::string& out, const PostJsonFields& f, std::uint64_t line) {
  const JsonField& uid = f[PostJsonFields::uid];
  const JsonField& id = f[PostJsonFields::id];
  const JsonField* name = uid.type == JsonField::Type::string                    ? &uid
                          : id.type == JsonField::Type::string || id.is_number() ? &id
                                                                                 : nullptr;
  if (!name) {
    out += std::to_string(line);
    return;
  }
  switch (name->type) {
    case JsonField::Type::string:
      ingest::append_json_string(out, name->string);
      break;
    case JsonField::Type::int64:
      out += std::to_string(name->int64);
      break;
    case JsonField::Type::uint64:
      out += std::to_string(name->uint64);
      break;
    default:
      ingest::append_json_double(out, name->double_);
  }
}

void flush_if_large(std::FILE* f, std::string& buffer) {
  // Large writes: scoring a day of mentions must not be bound by one write(2) per line.
  if (buffer.size() >= (1u << 16)) {
    std::fwrite(buffer.data(), 1, buffer.size(), f);
    buffer.clear();
  }
}

void write_line(std::FILE* f, std::string& buffer, const json::object& o) {
  ingest::append_json_text(buffer, o);
  buffer += '\n';
  flush_if_large(f, buffer);
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
  // One Post, reused from line to line: its strings keep their capacity, and the input is read into it
  // without a JSON tree (PostJsonReader); the output is printed straight from the ScoredPost.
  ingest::Post post;
  std::string placeholder_uid;
  while (const auto line = reader.next()) {
    progress.tick();
    const std::size_t start = out.size();
    out += "{\"id\":";
    if (options.text) {
      // Only uid and text are ever set in this mode: the rest of the reused Post stays empty.
      post.uid.assign("line:").append(std::to_string(line->number));
      post.text.assign(line->text);
      out += std::to_string(line->number);
    } else {
      auto fields = reader.fields();
      Result<void> parsed = fields ? ok() : Result<void>(fields.error());
      if (fields) {
        PostJsonFields& f = **fields;
        // A line without "uid" (or "platform" and "id") gets a placeholder, so that a file of {"text": ...}
        // objects scores as well as a capture of stored posts.
        append_output_id(out, f, line->number);
        if (f.is_object && !f[PostJsonFields::uid].present() && !f[PostJsonFields::platform].present()) {
          placeholder_uid = "line:" + std::to_string(line->number);
          f[PostJsonFields::uid] = JsonField{JsonField::Type::string, placeholder_uid};
        }
        parsed = ingest::post_from_fields(f, 0, post);
      }
      if (!parsed) {
        out.resize(start);
        ++failed;
        write_line(stderr, err, json::object{{"line", line->number}, {"error", parsed.error().message}});
        continue;
      }
    }

    rules::ScoredPost scored = (*scorer)->score(std::move(post));
    out += ",\"lang\":";
    ingest::append_json_string(out, scored.lang);
    out += ",\"matches\":";
    rules::append_matches_json(out, scored.matches);
    out += ",\"sentiment\":";
    rules::append_sentiment_json(out, scored.sentiment);
    out += "}\n";
    post = std::move(scored.post);
    flush_if_large(stdout, out);
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
