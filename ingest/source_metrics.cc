#include "ingest/source_metrics.h"

#include <prometheus/family.h>

namespace vigie::ingest {
namespace {

prometheus::Family<prometheus::Counter>& errors_family(prometheus::Registry& r) {
  return prometheus::BuildCounter()
      .Name("vigie_source_errors_total")
      .Help(
          "Source failures by kind: malformed (event skipped), network, truncated (partial record dropped), "
          "gap (events lost)")
      .Register(r);
}

}  // namespace

// Registering a family twice with the same name and help returns the existing family, so every source shares
// it.
SourceMetrics::SourceMetrics(prometheus::Registry& r, const std::string& source, const std::string& type)
    : up(prometheus::BuildGauge()
             .Name("vigie_source_up")
             .Help("1 while the source is connected or reading, else 0")
             .Register(r)
             .Add({{"source", source}, {"type", type}})),
      posts(prometheus::BuildCounter()
                .Name("vigie_source_posts_total")
                .Help("Posts a source handed to the pipeline")
                .Register(r)
                .Add({{"source", source}})),
      malformed(errors_family(r).Add({{"source", source}, {"kind", "malformed"}})),
      network(errors_family(r).Add({{"source", source}, {"kind", "network"}})),
      truncated(errors_family(r).Add({{"source", source}, {"kind", "truncated"}})),
      gaps(errors_family(r).Add({{"source", source}, {"kind", "gap"}})),
      reconnects(prometheus::BuildCounter()
                     .Name("vigie_source_reconnects_total")
                     .Help("Times a source reconnected after a failure or disconnect")
                     .Register(r)
                     .Add({{"source", source}})),
      lag_seconds(prometheus::BuildGauge()
                      .Name("vigie_source_lag_seconds")
                      .Help("Age of the last post a source handed on (now minus its created_at)")
                      .Register(r)
                      .Add({{"source", source}})) {}

}  // namespace vigie::ingest
