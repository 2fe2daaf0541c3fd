// The hand-written sets of tests/rules/data/: lines "KEY<TAB>TEXT" (a rating, a label or a language), '#'
// comment lines and blank lines skipped.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace vigie::rules::testing {

struct Row {
  std::string key;
  std::string text;
};

// The rows of tests/rules/data/<name> into `rows`. Fails the test when the file cannot be read or holds fewer
// than `min_rows` rows: a missing or emptied set must not pass as a set with no miss.
inline void read_rows(const std::string& name, std::size_t min_rows, std::vector<Row>& rows) {
  const std::string path = std::string(VIGIE_SOURCE_DIR) + "/tests/rules/data/" + name;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot open " << path;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    rows.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  ASSERT_GE(rows.size(), min_rows) << path << ": too few rows (lines \"KEY<TAB>TEXT\")";
}

}  // namespace vigie::rules::testing
