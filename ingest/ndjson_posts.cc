#include "ingest/ndjson_posts.h"

#include <istream>

namespace vigie::ingest {

bool NdjsonPosts::read_line(std::string_view& line) {
  if (in_) {
    if (!std::getline(*in_, buffer_)) return false;
    // getline consumed a newline unless it stopped at the end of the stream.
    offset_ += buffer_.size() + (in_->eof() ? 0 : 1);
    line = buffer_;
    return true;
  }
  if (rest_.empty()) return false;
  const std::size_t nl = rest_.find('\n');
  line = rest_.substr(0, nl);
  if (nl == std::string_view::npos) {
    offset_ += rest_.size();
    rest_ = {};
  } else {
    offset_ += nl + 1;
    rest_.remove_prefix(nl + 1);
  }
  return true;
}

std::optional<NdjsonPosts::Line> NdjsonPosts::next() {
  current_ = {};
  std::uint64_t begin = offset_;
  std::string_view line;
  while (read_line(line)) {
    ++number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      begin = offset_;
      continue;
    }
    current_ = line;
    return Line{number_, begin, offset_, line};
  }
  return std::nullopt;
}

Result<boost::json::value> NdjsonPosts::value() {
  boost::system::error_code ec;
  parser_.reset();
  parser_.write(current_, ec);
  if (ec) return error("invalid JSON: " + ec.message());
  return parser_.release();
}

Result<Post> NdjsonPosts::post(Micros received_at) {
  Post p;
  if (auto r = post(received_at, p); !r) return r.error();
  return p;
}

Result<void> NdjsonPosts::post(Micros received_at, Post& out) {
  return reader_.read(current_, received_at, out);
}

Result<PostJsonFields*> NdjsonPosts::fields() {
  if (auto r = reader_.parse(current_); !r) return r.error();
  return &reader_.fields();
}

}  // namespace vigie::ingest
