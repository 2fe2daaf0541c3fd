#!/usr/bin/env python3
"""Writes Vigie's two Grafana dashboards, deploy/grafana/dashboards/{brand-sentiment,pipeline-health}.json.

The JSON files are what Grafana loads (provisioning/dashboards/vigie.yml) and are committed; this script is where
they are edited, so that every panel keeps the conventions the suite checks (tests/deploy/dashboards_test.py,
after grafana/dashboard-linter): the `datasource` variable on every panel and target, `job` and `instance`
matchers in every query, `$__rate_interval` in every rate() and increase(), a title, a unit and a description on
every panel, fixed uids. The test also checks that this script reproduces the committed files.

Usage: deploy/grafana/make_dashboards.py      (rewrites both files)
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Every query is scoped to the selected Prometheus job and instance.
JI = 'job=~"$job", instance=~"$instance"'
BRAND = JI + ', brand=~"$brand"'
RI = "$__rate_interval"


def rate(metric, matchers, by=None, per_minute=False):
    expr = "rate(%s{%s}[%s])" % (metric, matchers, RI)
    if by is not None:
        expr = "sum by (%s) (%s)" % (by, expr) if by else "sum(%s)" % expr
    return expr + " * 60" if per_minute else expr


def increase(metric, matchers, by):
    return "sum by (%s) (increase(%s{%s}[%s]))" % (by, metric, matchers, RI)


def quantile(q, metric, matchers, by="le"):
    return "histogram_quantile(%s, sum by (%s) (rate(%s_bucket{%s}[%s])))" % (q, by, metric, matchers, RI)


def target(expr, legend, ref):
    return {"datasource": DATASOURCE, "editorMode": "code", "expr": expr, "legendFormat": legend, "range": True,
            "refId": ref}


class Layout:
    """Places panels left to right in a 24-column grid, rows of panels one below the other."""

    def __init__(self):
        self.panels = []
        self.next_id = 1
        self.x = 0
        self.y = 0
        self.row_height = 0
        self.current_row = None

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def _newline(self):
        if self.x:
            self.y += self.row_height
            self.x = 0
            self.row_height = 0

    def row(self, title, collapsed=False):
        self._newline()
        row = {"type": "row", "title": title, "id": self._id(), "collapsed": collapsed,
               "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []}
        self.panels.append(row)
        self.current_row = row if collapsed else None
        self.y += 1

    def panel(self, kind, title, description, unit, targets, w=8, h=8, stack=False, extra_defaults=None,
              options=None):
        if self.x + w > 24:
            self._newline()
        defaults = {"unit": unit}
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 25 if stack else 10,
                                  "showPoints": "never", "spanNulls": False,
                                  "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
        defaults.update(extra_defaults or {})
        p = {"type": kind, "title": title, "description": description, "id": self._id(),
             "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y}, "datasource": DATASOURCE,
             "fieldConfig": {"defaults": defaults, "overrides": []},
             "targets": [target(e, legend, chr(ord("A") + i)) for i, (e, legend) in enumerate(targets)]}
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        elif kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area", "textMode": "auto"}
        if options:
            p.setdefault("options", {}).update(options)
        self.x += w
        self.row_height = max(self.row_height, h)
        (self.current_row["panels"] if self.current_row else self.panels).append(p)


def query_variable(name, label, query, include_all=True):
    return {"type": "query", "name": name, "label": label, "datasource": DATASOURCE,
            "definition": query, "query": {"qryType": 1, "query": query, "refId": "PrometheusVariableQueryEditor"},
            "refresh": 2, "sort": 1, "multi": True, "includeAll": include_all, "allValue": ".+",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "options": [], "hide": 0,
            "regex": ""}


def templating(extra=()):
    return {"list": [
        {"type": "datasource", "name": "datasource", "label": "Data source", "query": "prometheus",
         "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": ""},
        query_variable("job", "Job", "label_values(vigie_build_info, job)"),
        query_variable("instance", "Instance", 'label_values(vigie_build_info{job=~"$job"}, instance)'),
    ] + list(extra)}


def dashboard(uid, title, description, tags, layout, variables=()):
    return {"uid": uid, "title": title, "description": description, "tags": ["vigie"] + tags,
            "editable": True, "graphTooltip": 1, "schemaVersion": 39, "version": 1, "refresh": "30s",
            "time": {"from": "now-3h", "to": "now"}, "timepicker": {}, "timezone": "browser",
            "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "",
            "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                      "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                      "name": "Annotations & Alerts", "type": "dashboard"}]},
            "links": [{"title": "Vigie dashboards", "type": "dashboards", "tags": ["vigie"], "asDropdown": True,
                       "includeVars": True, "keepTime": True}],
            "templating": templating(variables), "panels": layout.panels}


def brand_sentiment():
    L = Layout()
    mean = ("sum by (brand) (rate(vigie_sentiment_compound_sum{%s}[%s])) / "
            "sum by (brand) (rate(vigie_sentiment_compound_count{%s}[%s]))" % (BRAND, RI, BRAND, RI))
    L.row("Mentions")
    L.panel("timeseries", "Mentions per minute by sentiment",
            "Stored posts that mention the selected brands, per minute, split by sentiment (positive, neutral, "
            "negative, unscored). Counted once per stored post.", "cpm",
            [(rate("vigie_mentions_total", BRAND, "sentiment", True), "{{sentiment}}")], w=12, stack=True)
    L.panel("timeseries", "Mentions per minute by brand",
            "Stored posts that mention each selected brand, per minute, all sentiments together.", "cpm",
            [(rate("vigie_mentions_total", BRAND, "brand", True), "{{brand}}")], w=12)
    L.row("Sentiment")
    L.panel("timeseries", "Mean compound sentiment",
            "Mean compound score of the mentions of each brand (-1 most negative, +1 most positive) over the rate "
            "window, from the vigie_sentiment_compound histogram's _sum and _count.", "none",
            [(mean, "{{brand}}")], extra_defaults={"min": -1, "max": 1})
    L.panel("timeseries", "Mean compound trend (1 h moving average)",
            "The mean compound score averaged over the last hour: the slow trend under the noisy line beside it. "
            "A falling trend with rising mentions is how a crisis starts.", "none",
            [("avg_over_time((%s)[1h:])" % mean, "{{brand}}")], extra_defaults={"min": -1, "max": 1})
    L.panel("timeseries", "Negative share of mentions",
            "Share of each brand's mentions scored negative.", "percentunit",
            [("sum by (brand) (rate(vigie_mentions_total{%s, sentiment=\"negative\"}[%s])) / "
              "sum by (brand) (rate(vigie_mentions_total{%s}[%s]))" % (BRAND, RI, BRAND, RI), "{{brand}}")],
            extra_defaults={"min": 0, "max": 1})
    L.panel("timeseries", "Compound score quantiles",
            "Median and 10th percentile of the compound score per brand, from the histogram buckets: the 10th "
            "percentile shows how bad the worst posts are.", "none",
            [(quantile(0.5, "vigie_sentiment_compound", BRAND, "le, brand"), "{{brand}} p50"),
             (quantile(0.1, "vigie_sentiment_compound", BRAND, "le, brand"), "{{brand}} p10")], w=12,
            extra_defaults={"min": -1, "max": 1})
    L.panel("stat", "Mean compound now",
            "Mean compound score of each brand over the latest rate window.", "none", [(mean, "{{brand}}")], w=12,
            extra_defaults={"decimals": 2, "color": {"mode": "thresholds"},
                            "thresholds": {"mode": "absolute", "steps": [
                                {"color": "red", "value": None}, {"color": "orange", "value": -0.05},
                                {"color": "green", "value": 0.05}]}})
    L.row("Share of voice and reach")
    L.panel("timeseries", "Share of voice",
            "Each selected brand's share of all the mentions of the selected brands.", "percentunit",
            [("sum by (brand) (rate(vigie_mentions_total{%s}[%s])) / ignoring (brand) group_left "
              "sum(rate(vigie_mentions_total{%s}[%s]))" % (BRAND, RI, BRAND, RI), "{{brand}}")], w=12, stack=True,
            extra_defaults={"min": 0, "max": 1})
    L.panel("timeseries", "Reach per minute",
            "Followers of the authors of each brand's mentions, summed, per minute: how many people may have "
            "seen them.", "short",
            [(rate("vigie_mention_reach_total", BRAND, "brand", True), "{{brand}}")], w=12)
    L.row("Topics and incidents")
    L.panel("timeseries", "Topic mentions per minute by severity",
            "Mentions matching a topic of the rule file, per minute, by the topic's severity (info, warning, "
            "critical).", "cpm",
            [(rate("vigie_topic_mentions_total", BRAND, "severity", True), "{{severity}}")], stack=True)
    L.panel("timeseries", "Topic mentions per minute by topic",
            "Mentions per minute of each brand and topic.", "cpm",
            [(rate("vigie_topic_mentions_total", BRAND, "brand, topic, severity", True),
              "{{brand}} / {{topic}} ({{severity}})")])
    L.panel("stat", "Open incidents",
            "Incidents not resolved yet, by severity, for the selected brands.", "none",
            [("sum by (severity) (vigie_incidents_open{%s})" % BRAND, "{{severity}}")],
            extra_defaults={"color": {"mode": "thresholds"}, "thresholds": {"mode": "absolute", "steps": [
                {"color": "green", "value": None}, {"color": "red", "value": 1}]}})
    L.panel("timeseries", "Open incidents by brand",
            "Incidents not resolved yet, per brand and severity, over time.", "none",
            [("sum by (brand, severity) (vigie_incidents_open{%s})" % BRAND, "{{brand}} {{severity}}")], w=12)
    L.panel("timeseries", "Incident events",
            "Incident events (opened, escalated, resolved, ...) per rate window, by brand and event.", "short",
            [(increase("vigie_incident_events_total", BRAND, "brand, event"), "{{brand}} {{event}}")], w=12)
    L.row("Platforms")
    L.panel("timeseries", "Mentions per minute by platform",
            "Mentions of the selected brands per minute, by the platform they came from.", "cpm",
            [(rate("vigie_mentions_total", BRAND, "platform", True), "{{platform}}")], w=12, stack=True)
    L.panel("timeseries", "Negative share by platform",
            "Share of the mentions from each platform scored negative.", "percentunit",
            [("sum by (platform) (rate(vigie_mentions_total{%s, sentiment=\"negative\"}[%s])) / "
              "sum by (platform) (rate(vigie_mentions_total{%s}[%s]))" % (BRAND, RI, BRAND, RI), "{{platform}}")],
            w=12, extra_defaults={"min": 0, "max": 1})
    brand = query_variable("brand", "Brand", 'label_values(vigie_mentions_total{%s}, brand)' % JI)
    return dashboard("vigie-brand-sentiment", "Vigie / Brand sentiment",
                     "Mentions, sentiment, share of voice, reach, topics and incidents of the brands Vigie watches.",
                     ["brands"], L, [brand])


def pipeline_health():
    L = Layout()
    L.row("Overview")
    L.panel("stat", "Scrape up", "1 while Prometheus scrapes the Vigie instance, 0 when it is down.", "none",
            [("up{%s}" % JI, "{{instance}}")], w=6, h=4,
            extra_defaults={"mappings": [{"type": "value", "options": {
                "0": {"text": "down", "color": "red"}, "1": {"text": "up", "color": "green"}}}]})
    L.panel("stat", "Uptime", "Time since the Vigie process started.", "s",
            [("vigie_uptime_seconds{%s}" % JI, "{{instance}}")], w=6, h=4)
    L.panel("stat", "Posts stored per second", "Posts stored (new, edited or deleted) per second.", "cps",
            [(rate("vigie_pipeline_posts_stored_total", JI, ""), "stored")], w=6, h=4)
    L.panel("stat", "Active incidents", "Incidents not resolved yet, all brands.", "none",
            [("sum(vigie_incidents_active{%s})" % JI, "active")], w=6, h=4)
    L.row("Sources")
    L.panel("timeseries", "Ingest rate by source", "Posts each source handed to the pipeline, per second.", "cps",
            [(rate("vigie_source_posts_total", JI, "source"), "{{source}}")], stack=True)
    L.panel("timeseries", "Source up", "1 while a source is connected or reading, else 0.", "none",
            [("max by (source, type) (vigie_source_up{%s})" % JI, "{{source}} ({{type}})")],
            extra_defaults={"min": 0, "max": 1})
    L.panel("timeseries", "Source lag", "Age of the last post each source handed on (now minus its created_at).",
            "s", [("max by (source) (vigie_source_lag_seconds{%s})" % JI, "{{source}}")])
    L.panel("timeseries", "Source reconnects", "Reconnections after a failure or disconnect, per rate window.",
            "short", [(increase("vigie_source_reconnects_total", JI, "source"), "{{source}}")], w=12)
    L.panel("timeseries", "Source errors", "Source failures per second by kind: malformed (event skipped), "
            "network, truncated (partial record dropped), gap (events lost).", "cps",
            [(rate("vigie_source_errors_total", JI, "source, kind"), "{{source}} {{kind}}")], w=12)
    L.row("Pipeline")
    L.panel("timeseries", "Queue depth", "Posts queued between the sources and storage, and stored posts waiting "
            "for crisis detection; a full queue slows the sources down.", "short",
            [("sum(vigie_pipeline_queue_posts{%s})" % JI, "queued"),
             ("sum(vigie_crisis_queue_posts{%s})" % JI, "waiting for detection")])
    L.panel("timeseries", "Stored, duplicate and refused posts",
            "Posts stored, already-stored posts skipped, and HTTP pushes refused because the queue was full, per "
            "second.", "cps",
            [(rate("vigie_pipeline_posts_stored_total", JI, ""), "stored"),
             (rate("vigie_pipeline_duplicates_total", JI, ""), "duplicates"),
             (rate("vigie_pipeline_saturated_total", JI, ""), "refused (queue full)")])
    L.panel("timeseries", "Pipeline write errors", "Storage writes that failed and were retried, per second.",
            "cps", [(rate("vigie_pipeline_write_errors_total", JI, ""), "pipeline retries"),
                    (rate("vigie_storage_write_errors_total", JI, ""), "storage batch failures")])
    L.panel("timeseries", "Scoring and storing latency per batch",
            "Time to score and durably store one batch of posts: median and 99th percentile.", "s",
            [(quantile(0.5, "vigie_pipeline_batch_seconds", JI), "p50"),
             (quantile(0.99, "vigie_pipeline_batch_seconds", JI), "p99")], w=12)
    L.panel("timeseries", "Storage write latency",
            "Time to commit one batch write to RocksDB, sync included: median and 99th percentile.", "s",
            [(quantile(0.5, "vigie_storage_write_seconds", JI), "p50"),
             (quantile(0.99, "vigie_storage_write_seconds", JI), "p99")], w=12)
    L.row("Storage")
    L.panel("timeseries", "Storage size", "Bytes on disk in the database directory, and their parts: SST files, "
            "live write-ahead log, memtables (in memory).", "bytes",
            [("sum(vigie_storage_disk_bytes{%s})" % JI, "disk"), ("sum(vigie_storage_sst_bytes{%s})" % JI, "sst"),
             ("sum(vigie_storage_wal_bytes{%s})" % JI, "wal"),
             ("sum(vigie_storage_memtable_bytes{%s})" % JI, "memtables")])
    L.panel("timeseries", "Pending compaction", "Estimated bytes compaction still has to rewrite.", "bytes",
            [("sum(vigie_storage_pending_compaction_bytes{%s})" % JI, "pending")])
    L.panel("timeseries", "Write stalls", "RocksDB write slowdowns and stops per rate window, and whether writes "
            "are stopped now (1).", "short",
            [(increase("vigie_storage_write_stall_slowdowns_total", JI, "instance"), "slowdowns {{instance}}"),
             (increase("vigie_storage_write_stall_stops_total", JI, "instance"), "stops {{instance}}"),
             ("max by (instance) (vigie_storage_write_stopped{%s})" % JI, "stopped now {{instance}}")])
    L.panel("timeseries", "WAL fsync failures", "Write-ahead log fsyncs that failed, per rate window; under sync: "
            "every_batch every one after the first refuses writes.", "short",
            [(increase("vigie_storage_wal_sync_failures_total", JI, "instance"), "{{instance}}")], w=12)
    L.panel("timeseries", "Delayed write rate", "The write rate RocksDB throttles to while it delays writes; 0 "
            "when writes are not delayed.", "Bps",
            [("max by (instance) (vigie_storage_delayed_write_rate_bytes{%s})" % JI, "{{instance}}")], w=12)
    L.row("Notifications")
    L.panel("timeseries", "Webhook deliveries by outcome", "Notification delivery attempts per second by "
            "notifier and outcome (delivered, retried, dead).", "cps",
            [(rate("vigie_notifications_total", JI, "notifier, outcome"), "{{notifier}} {{outcome}}")])
    L.panel("timeseries", "Delivery latency", "Time of one delivery attempt, from connecting to the response: "
            "99th percentile by notifier.", "s",
            [(quantile(0.99, "vigie_notification_delivery_seconds", JI, "le, notifier"), "{{notifier}} p99")])
    L.panel("timeseries", "Outbox depth", "Notifications waiting in the outbox.", "short",
            [("sum(vigie_outbox_pending{%s})" % JI, "pending")])
    L.panel("timeseries", "Outbox oldest age", "Age of the oldest notification waiting in the outbox; 0 when "
            "empty. Receivers down for long show here first.", "s",
            [("max(vigie_outbox_oldest_age_seconds{%s})" % JI, "oldest")], w=12)
    L.panel("timeseries", "Dead letters", "Notifications given up on (after 24 h of retries), kept in the dead "
            "letters: GET /api/v1/notifications/dead.", "short",
            [("sum(vigie_dead_letters{%s})" % JI, "dead letters")], w=12)
    L.row("Rules and crisis detection")
    L.panel("timeseries", "Rule reloads", "Rule reloads per rate window by outcome (success: new rules in force; "
            "error: old rules kept).", "short",
            [(increase("vigie_rules_reload_total", JI, "outcome"), "{{outcome}}")])
    L.panel("timeseries", "Rules in force", "Brands, topics and compiled RE2 patterns of the rules in force.",
            "short", [("max(vigie_rules_brands{%s})" % JI, "brands"), ("max(vigie_rules_topics{%s})" % JI, "topics"),
                      ("max(vigie_rules_patterns{%s})" % JI, "patterns")])
    L.panel("timeseries", "Crisis detection lag", "Wall clock minus the event time up to which crisis detection "
            "has evaluated: grows when no post arrives (until crisis.idle_timeout) or when detection falls behind.",
            "s", [("time() - max(vigie_crisis_watermark_seconds{%s})" % JI, "watermark lag")])
    L.panel("timeseries", "Crisis detection errors", "Crisis detection steps that failed (storage errors) per "
            "rate window; they are retried.", "short",
            [(increase("vigie_crisis_errors_total", JI, "instance"), "{{instance}}")], w=12)
    L.panel("timeseries", "RE2 DFA fallbacks", "Posts matched by the slow exact path because RE2's DFA ran "
            "out of memory, per second: a rule to simplify.", "cps",
            [(rate("vigie_rules_dfa_fallbacks_total", JI, "instance"), "{{instance}}")], w=12)
    L.row("Process and HTTP", collapsed=True)
    L.panel("timeseries", "CPU", "CPU time the Vigie process uses, in cores (1 = one core busy).", "percentunit",
            [(rate("process_cpu_seconds_total", JI, "instance"), "{{instance}}")])
    L.panel("timeseries", "Memory", "Resident memory of the Vigie process.", "bytes",
            [("max by (instance) (process_resident_memory_bytes{%s})" % JI, "{{instance}}")])
    L.panel("timeseries", "HTTP requests by code", "HTTP requests served per second, by status code.", "reqps",
            [(rate("vigie_http_requests_total", JI, "code"), "{{code}}")])
    return dashboard("vigie-pipeline-health", "Vigie / Pipeline health",
                     "Vigie's own health: sources, pipeline, storage, notifications, rules and the process.",
                     ["operations"], L)


def main():
    out = os.path.join(HERE, "dashboards")
    os.makedirs(out, exist_ok=True)
    for name, d in (("brand-sentiment.json", brand_sentiment()), ("pipeline-health.json", pipeline_health())):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(render(d))


def render(d):
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    main()
