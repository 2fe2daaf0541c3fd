// What the event stream costs the pipeline: publish_mentions() on the writer thread for posts that each
// mention a brand (a copy of the mention, handed to the hub), with no reader and with readers that take every
// event (a pointer each, their work counted in too); then the same with the readers making each event's frame
// (the mention's JSON text, made once per event by the first reader, on an I/O thread in the daemon); and
// the hub's publish() of ready-made data alone. BM_PublishMentionsLiveReaders has readers as the daemon's:
// each woken by a post to an I/O context run by its own thread, which takes what is queued.
//   build/tests/bench/vigie_events_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

#include "daemon/events/event_hub.h"
#include "daemon/events/stream_events.h"

namespace vigie::daemon {
namespace {

std::vector<rules::ScoredPost> posts(std::size_t n) {
  std::vector<rules::ScoredPost> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    rules::ScoredPost& p = out[i];
    p.post.uid = "mastodon:" + std::to_string(i);
    p.post.platform = "mastodon";
    p.post.source = "masto-fr";
    p.post.author.handle = "user" + std::to_string(i % 1000);
    p.post.author.name = "Some User";
    p.post.author.followers = 1200;
    p.post.text =
        "Panne chez Acme Bank depuis ce matin, impossible de me connecter à l'appli, franchement c'est la "
        "troisième fois ce mois-ci 😡 #acmebank";
    p.post.url = "https://mastodon.example/@user/" + std::to_string(i);
    p.post.created_at = 1'700'000'000'000'000 + static_cast<Micros>(i);
    p.lang = "fr";
    p.sentiment.compound = -0.7f;
    p.sentiment.label = rules::Label::negative;
    p.sentiment.scored = true;
    p.matches = {{"acme", rules::RuleKind::brand, rules::Severity::info},
                 {"outage", rules::RuleKind::topic, rules::Severity::warning}};
  }
  return out;
}

void BM_PublishMentions(benchmark::State& state) {
  const std::size_t readers = static_cast<std::size_t>(state.range(0));
  EventHubOptions o;
  o.client_queue = 1 << 20;
  EventHub hub(o, nullptr);
  std::vector<std::unique_ptr<EventHub::Subscription>> subs;
  std::vector<std::vector<StreamEventPtr>> drained(readers);
  for (std::size_t i = 0; i < readers; ++i) {
    EventHub::Resume r;
    subs.push_back(hub.subscribe("", "", nullptr, nullptr, r));
  }
  const auto batch = posts(256);
  const std::vector<storage::PostOutcome> outcomes(batch.size(), storage::PostOutcome::inserted);
  const bool send = state.range(1) != 0;
  std::size_t n = 0, bytes = 0;
  for (auto _ : state) {
    publish_mentions(hub, batch, outcomes);
    n += batch.size();
    // The readers take what was queued, as their connections would, so that queues never fill.
    for (std::size_t i = 0; i < readers; ++i) {
      subs[i]->take(drained[i]);
      if (!send) continue;
      for (const auto& e : drained[i])
        bytes += e->body().size();
    }
  }
  benchmark::DoNotOptimize(bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_PublishMentions)->Args({0, 0})->Args({10, 0})->Args({100, 0})->Args({1, 1})->Args({10, 1});

void BM_PublishMentionsLiveReaders(benchmark::State& state) {
  namespace net = boost::asio;
  const std::size_t readers = static_cast<std::size_t>(state.range(0));
  EventHubOptions o;
  o.client_queue = 1 << 20;
  o.max_clients = 1000;
  EventHub hub(o, nullptr);
  // Two I/O threads, as the daemon's HTTP server has; readers are dealt over them.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    contexts.push_back(std::make_unique<net::io_context>(1));
  std::vector<std::unique_ptr<EventHub::Subscription>> subs(readers);
  std::vector<std::vector<StreamEventPtr>> drained(readers);
  std::atomic<std::size_t> taken = 0;
  for (std::size_t i = 0; i < readers; ++i) {
    net::io_context& ctx = *contexts[i % contexts.size()];
    EventHub::Resume r;
    subs[i] = hub.subscribe(
        "", "",
        [&ctx, &subs, &drained, &taken, i] {
          net::post(ctx, [&subs, &drained, &taken, i] {
            subs[i]->take(drained[i]);
            taken += drained[i].size();
          });
        },
        nullptr, r);
  }
  for (auto& ctx : contexts) {
    threads.emplace_back([c = ctx.get()] {
      auto guard = net::make_work_guard(*c);
      c->run();
    });
  }
  const auto batch = posts(256);
  const std::vector<storage::PostOutcome> outcomes(batch.size(), storage::PostOutcome::inserted);
  std::size_t n = 0;
  for (auto _ : state) {
    publish_mentions(hub, batch, outcomes);
    n += batch.size();
  }
  for (auto& ctx : contexts)
    ctx->stop();
  for (auto& t : threads)
    t.join();
  subs.clear();
  benchmark::DoNotOptimize(taken.load());
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_PublishMentionsLiveReaders)->Arg(1)->Arg(10)->Arg(100)->UseRealTime();

void BM_HubPublishOnly(benchmark::State& state) {
  EventHub hub({}, nullptr);
  const std::string data(600, 'x');
  for (auto _ : state)
    hub.publish("mention", "acme", data);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HubPublishOnly);

}  // namespace
}  // namespace vigie::daemon

BENCHMARK_MAIN();
